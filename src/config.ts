import { join } from 'node:path';

export interface GatewayConfig {
  port: number;
  host: string;
  /** PostgreSQL URL; unset means embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Development and tests: this value becomes an operator token (only its hash is kept). */
  operatorToken?: string;
  /** Per-provider lifespan overrides in seconds, e.g. `{"alation": {"refresh": 86400}}`. */
  lifespans: Record<string, Record<string, number | null>>;
  /** Encrypts signing keys at rest. Embedded mode generates one into the data folder when unset. */
  masterKey?: string;
  maxBodyBytes: number;
  /** Failed authentications allowed per client address and minute before RATE_LIMITED; 0: unlimited. */
  authFailuresPerMinute: number;
  /** How often expired tokens get their EXPIRED event; 0 turns the sweeper off. */
  expirySweepSeconds: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** The base URL clients use (`KEYGATE_PUBLIC_URL`); unset, `http://localhost:<port>`. OAuth issuers are built from it. */
  publicUrl?: string;
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a whole number, got "${value}".`);
  return parsed;
}

/** Reads the environment once; every option is in the README's configuration table. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  let lifespans: GatewayConfig['lifespans'] = {};
  if (env.KEYGATE_LIFESPANS) {
    try {
      lifespans = JSON.parse(env.KEYGATE_LIFESPANS);
    } catch {
      throw new Error('KEYGATE_LIFESPANS must be JSON, e.g. {"alation":{"refresh":5184000,"access":86400}}.');
    }
  }
  const logLevel = (env.KEYGATE_LOG_LEVEL ?? 'info') as GatewayConfig['logLevel'];
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) throw new Error(`KEYGATE_LOG_LEVEL "${logLevel}" is not a level.`);
  let publicUrl: string | undefined;
  if (env.KEYGATE_PUBLIC_URL) {
    let url: URL | undefined;
    try {
      url = new URL(env.KEYGATE_PUBLIC_URL);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash)
      throw new Error('KEYGATE_PUBLIC_URL must be an absolute http:// or https:// URL without credentials, query or fragment, e.g. https://keygate.example.com.');
    publicUrl = url.toString().replace(/\/+$/, '');
  }
  return {
    port: int(env.PORT, 4000, 'PORT'),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.KEYGATE_DATA_DIR || join('.keygate', 'data'),
    operatorToken: env.KEYGATE_OPERATOR_TOKEN || undefined,
    lifespans,
    masterKey: env.KEYGATE_MASTER_KEY || undefined,
    maxBodyBytes: int(env.KEYGATE_MAX_BODY_BYTES, 1024 * 1024, 'KEYGATE_MAX_BODY_BYTES'),
    authFailuresPerMinute: int(env.KEYGATE_AUTH_FAILURES_PER_MINUTE, 60, 'KEYGATE_AUTH_FAILURES_PER_MINUTE'),
    expirySweepSeconds: int(env.KEYGATE_EXPIRY_SWEEP_SECONDS, 30, 'KEYGATE_EXPIRY_SWEEP_SECONDS'),
    logLevel,
    publicUrl,
  };
}
