/** What core and providers may log through; the server supplies one that redacts credentials. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose every line also carries `bindings` (e.g. `{ provider: 'alation' }`). */
  child(bindings: Record<string, unknown>): Logger;
}
