import { constants as fs, accessSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { ProviderManifest } from './plugins/provider';
import { defaultProviders } from './plugins/registry';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

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
  logLevel: LogLevel;
  /** The base URL clients use (`KEYGATE_PUBLIC_URL`, no trailing slash); unset, `http://localhost:<bound port>`. OAuth issuers are built from it. */
  publicUrl?: string;
  /** Proxies whose `X-Forwarded-For` is believed: addresses, CIDRs, `loopback`, `linklocal`, `uniquelocal`. Empty: none. */
  trustProxy: string[];
  /** When set, `/metrics`, `/healthz` and `/readyz` are served on this port only. */
  managementPort?: number;
  /** How long SIGTERM/SIGINT lets in-flight requests finish before connections are cut. */
  shutdownGraceSeconds: number;
  /** Warning horizons in seconds, largest first: an EXPIRING event as a token enters each. */
  expiryWarnings: number[];
  /** Webhook destinations on private and loopback addresses are refused unless this is true. */
  webhookAllowPrivate: boolean;
  /** Webhook requests in flight at once per instance (`KEYGATE_WEBHOOK_CONCURRENCY`). */
  webhookConcurrency: number;
  /** Webhook retry schedule in milliseconds; not an environment variable (tests shorten it). */
  webhookRetry?: { firstMs: number; maxMs: number; windowMs: number };
  /** OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`): tracing is on only when set. */
  otlpEndpoint?: string;
}

/** One or more configuration variables with values that are not allowed; `keygate serve` exits 2 on it. */
export class ConfigError extends Error {
  readonly variables: string[];

  constructor(readonly problems: { variable: string; message: string }[]) {
    super(problems.map((p) => `${p.variable}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
    this.variables = problems.map((p) => p.variable);
  }
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const TEN_YEARS = 10 * 365 * 86400;
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

const whole = (min: number, max: number) =>
  z
    .string()
    .regex(/^\s*\d+\s*$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const httpUrl = z
  .string()
  .transform((value, ctx) => {
    try {
      return new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a URL' });
      return z.NEVER;
    }
  })
  .refine((url) => url.protocol === 'http:' || url.protocol === 'https:')
  .refine((url) => !url.username && !url.password && !url.search && !url.hash);

/** `postgres://…` or `postgresql://…` with a host; anything else (mysql://, a path) is refused. */
const postgresUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname.length > 0;
  } catch {
    return false;
  }
});

/** Hex of at least 32 bytes, or standard/URL-safe base64 of at least 32 bytes. */
const masterKey = z.string().refine((value) => {
  const text = value.trim();
  if (/^[0-9a-f]+$/i.test(text)) return text.length >= 64 && text.length % 2 === 0;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return false;
  return Buffer.from(text, 'base64').length >= 32;
});

const proxyEntry = z.string().refine((entry) => {
  if (PROXY_NAMES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
});

const duration = z.string().transform((text, ctx) => {
  const match = /^(\d+)([smhdw])$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2]] : NaN;
  if (!(seconds >= 1 && seconds <= 366 * 86400)) {
    ctx.addIssue({ code: 'custom', message: 'bad duration' });
    return z.NEVER;
  }
  return seconds;
});

interface Variable<T> {
  name: string;
  /** What is allowed, as the error message says it. */
  allowed: string;
  schema: z.ZodType<T, string>;
  /** Credentials are never echoed back in an error message. */
  secret?: boolean;
}

const variable = <T>(name: string, allowed: string, schema: z.ZodType<T, string>, secret = false): Variable<T> => ({ name, allowed, schema, secret });

/** Every variable keygate reads; the README's configuration table lists the same. */
export const VARIABLES = {
  port: variable('PORT', 'a whole number from 0 to 65535', whole(0, 65535)),
  host: variable(
    'HOST',
    'an IP address or a host name of this machine',
    z.string().refine((h) => isIP(h) > 0 || HOSTNAME.test(h)),
  ),
  databaseUrl: variable('DATABASE_URL', 'a PostgreSQL URL, postgres://user:password@host:5432/database (or unset for the embedded database)', postgresUrl, true),
  dataDir: variable('KEYGATE_DATA_DIR', 'a folder keygate can create and write', z.string().min(1)),
  operatorToken: variable(
    'KEYGATE_OPERATOR_TOKEN',
    '16 to 4096 characters without spaces',
    z.string().regex(/^\S{16,4096}$/),
    true,
  ),
  lifespans: variable(
    'KEYGATE_LIFESPANS',
    'a JSON object of provider → token kind → seconds (1 to 315360000) or null, e.g. {"alation":{"refresh":5184000,"access":86400}}',
    z.string().transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    }).pipe(z.record(z.string(), z.record(z.string(), z.number().int().min(1).max(TEN_YEARS).nullable()))),
  ),
  masterKey: variable('KEYGATE_MASTER_KEY', 'base64 or hex of 32 random bytes, e.g. the output of `openssl rand -base64 32`', masterKey, true),
  authFailuresPerMinute: variable('KEYGATE_AUTH_FAILURES_PER_MINUTE', 'a whole number from 0 (off) to 1000000', whole(0, 1_000_000)),
  expirySweepSeconds: variable('KEYGATE_EXPIRY_SWEEP_SECONDS', 'a whole number of seconds from 1 to 86400, or 0 (off)', whole(0, 86_400)),
  maxBodyBytes: variable('KEYGATE_MAX_BODY_BYTES', 'a whole number of bytes from 1024 to 104857600', whole(1024, 100 * 1024 * 1024)),
  logLevel: variable('KEYGATE_LOG_LEVEL', LOG_LEVELS.join(', '), z.enum(LOG_LEVELS)),
  publicUrl: variable(
    'KEYGATE_PUBLIC_URL',
    'an absolute http:// or https:// URL without credentials, query or fragment, e.g. https://keygate.example.com',
    httpUrl.transform((url) => url.toString().replace(/\/+$/, '')),
  ),
  trustProxy: variable(
    'KEYGATE_TRUST_PROXY',
    'comma-separated IP addresses, CIDRs (10.0.0.0/8) or the names loopback, linklocal, uniquelocal',
    z.string().transform((text) => text.split(',').map((s) => s.trim())).pipe(z.array(proxyEntry).min(1)),
  ),
  managementPort: variable('KEYGATE_MANAGEMENT_PORT', 'a whole number from 0 to 65535, not the same as PORT', whole(0, 65535)),
  shutdownGraceSeconds: variable(
    'KEYGATE_SHUTDOWN_GRACE_SECONDS',
    'a number of seconds from 0 to 3600',
    z.string().regex(/^\s*\d+(\.\d+)?\s*$/).transform(Number).pipe(z.number().min(0).max(3600)),
  ),
  expiryWarnings: variable(
    'KEYGATE_EXPIRY_WARNINGS',
    'comma-separated durations from 1s to 366d such as 7d,1d,12h (units s, m, h, d, w), or "off"',
    z.string().transform((text, ctx) => {
      if (text.trim() === 'off') return [];
      const parsed = z.array(duration).safeParse(text.split(','));
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: 'bad durations' });
        return z.NEVER;
      }
      return [...new Set(parsed.data)].sort((a, b) => b - a);
    }),
  ),
  webhookAllowPrivate: variable(
    'KEYGATE_WEBHOOK_ALLOW_PRIVATE',
    'true or false',
    z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
  ),
  webhookConcurrency: variable('KEYGATE_WEBHOOK_CONCURRENCY', 'a whole number from 1 to 1000', whole(1, 1000)),
  otlpEndpoint: variable('OTEL_EXPORTER_OTLP_ENDPOINT', 'an absolute http:// or https:// URL of an OTLP collector', httpUrl.transform((u) => u.toString())),
} satisfies Record<string, Variable<unknown>>;

type Parsed = { [K in keyof typeof VARIABLES]?: (typeof VARIABLES)[K] extends Variable<infer T> ? T : never };

/**
 * Reads and checks the environment once: types, ranges, and the checks across variables. Every
 * problem is reported at once, each naming its variable and what it allows.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, providers: readonly ProviderManifest[] = defaultProviders.map((p) => p.manifest)): GatewayConfig {
  const problems: { variable: string; message: string }[] = [];
  const parsed: Parsed = {};
  for (const [key, spec] of Object.entries(VARIABLES) as [keyof typeof VARIABLES, Variable<unknown>][]) {
    const raw = env[spec.name];
    if (raw === undefined || raw === '') continue;
    const result = spec.schema.safeParse(raw);
    if (result.success) (parsed as Record<string, unknown>)[key] = result.data;
    else problems.push({ variable: spec.name, message: `${spec.secret ? 'the value given' : JSON.stringify(raw.length > 200 ? raw.slice(0, 200) + '…' : raw)} is not allowed; expected ${spec.allowed}.` });
  }

  const port = parsed.port ?? 4000;
  if (parsed.managementPort !== undefined && parsed.managementPort !== 0 && parsed.managementPort === port)
    problems.push({ variable: VARIABLES.managementPort.name, message: `${parsed.managementPort} is PORT too; expected ${VARIABLES.managementPort.allowed}.` });
  if (parsed.lifespans) problems.push(...lifespanProblems(parsed.lifespans, providers));
  const signers = providers.filter((p) => p.signsTokens).map((p) => p.id);
  if (parsed.databaseUrl && !parsed.masterKey && !problems.some((p) => p.variable === VARIABLES.masterKey.name) && signers.length)
    problems.push({
      variable: VARIABLES.masterKey.name,
      message: `is required with DATABASE_URL because ${signers.join(' and ')} sign tokens; expected ${VARIABLES.masterKey.allowed}.`,
    });
  if (problems.length) throw new ConfigError(problems);

  return {
    port,
    host: parsed.host ?? '0.0.0.0',
    databaseUrl: parsed.databaseUrl,
    dataDir: parsed.dataDir ?? join('.keygate', 'data'),
    operatorToken: parsed.operatorToken,
    lifespans: parsed.lifespans ?? {},
    masterKey: parsed.masterKey,
    maxBodyBytes: parsed.maxBodyBytes ?? 1024 * 1024,
    authFailuresPerMinute: parsed.authFailuresPerMinute ?? 60,
    expirySweepSeconds: parsed.expirySweepSeconds ?? 30,
    logLevel: parsed.logLevel ?? 'info',
    publicUrl: parsed.publicUrl,
    trustProxy: parsed.trustProxy ?? [],
    managementPort: parsed.managementPort,
    shutdownGraceSeconds: parsed.shutdownGraceSeconds ?? 10,
    expiryWarnings: parsed.expiryWarnings ?? [7 * 86400, 86400],
    webhookAllowPrivate: parsed.webhookAllowPrivate ?? false,
    webhookConcurrency: parsed.webhookConcurrency ?? 8,
    otlpEndpoint: parsed.otlpEndpoint,
  };
}

/** `KEYGATE_LIFESPANS` names only registered providers and the token kinds each has. */
export function lifespanProblems(lifespans: GatewayConfig['lifespans'], providers: readonly Pick<ProviderManifest, 'id' | 'lifespans'>[]) {
  const problems: { variable: string; message: string }[] = [];
  const name = VARIABLES.lifespans.name;
  for (const [id, kinds] of Object.entries(lifespans)) {
    const provider = providers.find((p) => p.id === id);
    if (!provider) {
      problems.push({ variable: name, message: `unknown provider "${id}"; expected one of ${providers.map((p) => p.id).join(', ')}.` });
      continue;
    }
    const known = Object.keys(provider.lifespans);
    for (const kind of Object.keys(kinds)) {
      if (!known.includes(kind)) problems.push({ variable: name, message: `${id} has no token kind "${kind}"; expected one of ${known.join(', ')}.` });
    }
  }
  return problems;
}

/**
 * `mkdir -p` one level at a time: Node's recursive mkdir spins forever on some paths (`/proc/…`),
 * where a plain mkdir fails at once.
 */
function makeFolder(path: string): void {
  const missing: string[] = [];
  for (let at = resolve(path); !existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const folder of missing) mkdirSync(folder);
}

/**
 * The checks that need the machine: the data folder can be created and written (embedded mode),
 * and HOST resolves. Run before anything listens or opens the database.
 */
export async function checkEnvironment(config: GatewayConfig): Promise<void> {
  const problems: { variable: string; message: string }[] = [];
  if (!config.databaseUrl && !config.dataDir.startsWith('memory://')) {
    try {
      makeFolder(config.dataDir);
      accessSync(config.dataDir, fs.W_OK);
      const probe = join(config.dataDir, `.write-check-${process.pid}`);
      writeFileSync(probe, '');
      rmSync(probe);
    } catch (error) {
      problems.push({ variable: VARIABLES.dataDir.name, message: `cannot create or write ${JSON.stringify(config.dataDir)} (${(error as NodeJS.ErrnoException).code ?? 'error'}); expected ${VARIABLES.dataDir.allowed}.` });
    }
  }
  if (!isIP(config.host)) {
    try {
      await lookup(config.host);
    } catch {
      problems.push({ variable: VARIABLES.host.name, message: `${JSON.stringify(config.host)} does not resolve; expected ${VARIABLES.host.allowed}.` });
    }
  }
  if (problems.length) throw new ConfigError(problems);
}
