import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import type { Logger } from '../core/logger';
import { currentScope } from './request-scope';

export type { Logger } from '../core/logger';

/**
 * Logs are pino JSON lines: `level` (a name), `time` (ISO 8601), `msg`, then fields, and
 * `requestId` on every line written while a request is served. Credentials are removed twice over:
 * by key (a field named like a password, secret, token, key or authorization) and by value
 * (anything shaped like a keygate secret, a JWT, a Bearer/Basic header, credentials in a URL, a
 * JSON or form pair whose name is a secret's, and every value registered with `registerSecrets`).
 */
type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const REDACTED = '[redacted]';
const SENSITIVE_KEY = /(pass(word|wd)?|secret|token|authorization|cookie|credential|api[-_]?key|master[-_]?key|private[-_]?key|signature)$/i;
/** Keys that end like a sensitive one but hold no secret. */
const HARMLESS_KEY = /^(tokenId|token_id|tokenKind|token_kind|kind|requestId)$/i;
const SECRET_PAIR = /(["']?(?:pass(?:word|wd)?|[\w-]*secret|[\w-]*token|authorization|api[-_]?key|master[-_]?key)["']?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,;&}"']+)/gi;
const PATTERNS: RegExp[] = [
  /kg[a-z]{2,4}_[0-9A-Za-z]{20,}/g,
  /eyJ[\w-]+\.[\w-]+\.[\w-]*/g,
  /\b(Bearer|Basic)\s+[^\s"',;]+/gi,
  /\bwhsec_[A-Za-z0-9+/=]+/g,
];
/** What the finished line is checked for once more: keygate secrets and JWTs. */
const LINE_PATTERNS = PATTERNS.slice(0, 2);
/** `scheme://user:password@host` → `scheme://user:[redacted]@host`. */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@"']*):[^@/?#\s"']*@/gi;

/**
 * True for any text a pattern above could match (each pattern needs one of these): most log text
 * has none of them and is passed through with one test instead of six replacements.
 */
const MAY_HOLD_CREDENTIAL = /kg[a-z]{2,4}_|eyJ|bearer|basic|whsec_|:\/\/|pass|secret|token|authorization|api[-_]?key|master[-_]?key/i;

const knownSecrets = new Set<string>();
/** The known secrets as they appear inside a JSON string (a finished line). */
const knownInJson = new Set<string>();

/**
 * Values that must never appear in a log line whatever their shape (the master key, the
 * configured operator token, the database password). Process-wide: every logger honours them.
 */
export function registerSecrets(values: readonly (string | undefined | null)[]): void {
  for (const value of values) {
    if (!value || value.length < 6) continue;
    knownSecrets.add(value);
    knownInJson.add(JSON.stringify(value).slice(1, -1));
  }
}

export function redact(text: string): string {
  let out = text;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  if (!MAY_HOLD_CREDENTIAL.test(out)) return out;
  out = out.replace(URL_CREDENTIALS, `$1:${REDACTED}@`);
  out = out.replace(SECRET_PAIR, (_match, name: string) => `${name}${REDACTED}`);
  for (const pattern of PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

/** A deep copy with sensitive keys censored and every string redacted; errors become plain objects. */
export function redactValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value) || depth > 8) return '[…]';
  seen.add(value);
  if (value instanceof Error) {
    const plain: Record<string, unknown> = { type: value.name, message: value.message, stack: value.stack };
    for (const [key, inner] of Object.entries(value)) plain[key] = inner;
    if (value.cause !== undefined) plain.cause = value.cause;
    return redactValue(plain, depth + 1, seen);
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SENSITIVE_KEY.test(key) && !HARMLESS_KEY.test(key) && inner !== null && inner !== undefined && typeof inner !== 'boolean' ? REDACTED : redactValue(inner, depth + 1, seen);
  }
  return out;
}

/** The last line of defence: known values and credential shapes in the finished line itself. */
function redactingStream(target: { write(line: string): unknown }): DestinationStream {
  return {
    write(line: string) {
      let out = line;
      for (const escaped of knownInJson) if (out.includes(escaped)) out = out.split(escaped).join(REDACTED);
      for (const pattern of LINE_PATTERNS) out = out.replace(pattern, REDACTED);
      target.write(out);
    },
  };
}

class PinoLogger implements Logger {
  constructor(readonly pino: Pino) {}

  debug(message: string, fields?: Record<string, unknown>) {
    this.pino.debug(fields ?? {}, redact(message));
  }
  info(message: string, fields?: Record<string, unknown>) {
    this.pino.info(fields ?? {}, redact(message));
  }
  warn(message: string, fields?: Record<string, unknown>) {
    this.pino.warn(fields ?? {}, redact(message));
  }
  error(message: string, fields?: Record<string, unknown>) {
    this.pino.error(fields ?? {}, redact(message));
  }
  child(bindings: Record<string, unknown>): Logger {
    return new PinoLogger(this.pino.child(redactValue(bindings) as Record<string, unknown>));
  }
}

function destination(write?: (line: string) => void): { write(line: string): unknown } {
  if (write) return { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line) };
  if (process.stdout.isTTY) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as (options: object) => DestinationStream;
    return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', sync: true });
  }
  return pino.destination({ dest: 1, sync: true });
}

/**
 * A logger writing JSON lines to stdout (pretty-printed when stdout is a terminal), or to `write`
 * one line at a time (tests).
 */
export function createLogger(level: Level = 'info', write?: (line: string) => void): Logger {
  const instance = pino(
    {
      level: level === 'silent' ? 'silent' : level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => redactValue(fields) as Record<string, unknown>,
      },
      serializers: { err: (error: unknown) => redactValue(error) },
      mixin: (fields) => {
        const scope = currentScope();
        return scope && !('requestId' in fields) ? { requestId: scope.requestId } : {};
      },
    },
    redactingStream(destination(write)),
  );
  return new PinoLogger(instance);
}
