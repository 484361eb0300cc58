/**
 * A JSON-lines logger. Anything that looks like a credential is replaced before it is written,
 * so a secret that slipped into a message or field still never reaches the log.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const CREDENTIALS = [/kg[a-z]{2,4}_[0-9A-Za-z]{30,}/g, /eyJ[\w-]+\.[\w-]+\.[\w-]*/g, /(Bearer|Basic)\s+\S+/gi];

export function redact(text: string): string {
  return CREDENTIALS.reduce((out, pattern) => out.replace(pattern, '[redacted]'), text);
}

export type { Logger } from '../core/logger';
import type { Logger } from '../core/logger';

export function createLogger(level: Level | 'silent' = 'info', write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger {
  const log = (at: Level) => (message: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[at] < ORDER[level]) return;
    write(redact(JSON.stringify({ time: new Date().toISOString(), level: at, message, ...fields })));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
