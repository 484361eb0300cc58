import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { GatewayError } from './errors';

/** Who a failed attempt was aimed at: always the caller's address, and what it named when it named something. */
export interface AttemptKeys {
  address: string;
  /** A user name, client id or token owner the attempt named (`alation-user:jane`). */
  target?: string;
  /**
   * Refuse before checking while the target is over its limit. Only for guessable secrets
   * (passwords): a 256-bit token is never worth locking its owner out for.
   */
  lockTarget?: boolean;
}

export interface FailureLimiterOptions {
  /** Failures allowed per key and window; 0 turns limiting off. */
  limit: number;
  windowSeconds?: number;
  /** A PostgreSQL pool: every instance on that database shares the counts (table `auth_failure`). Absent: this process's memory. */
  pool?: Pool | null;
  /** Told of every failure, limited or not (metrics). */
  onFailure?: () => void;
}

const KEY_PREFIX = 'auth_failure';
const isUnauthenticated = (error: unknown) => error instanceof GatewayError && error.code === 'UNAUTHENTICATED';

/**
 * Counts failed secret checks per client address and per target on rate-limiter-flexible. The
 * credential is always checked first and only failures count or get refused, so a valid
 * credential is never turned away because someone else failed from the same address. Past the
 * limit a failure becomes RATE_LIMITED with the seconds until its window ends.
 */
export class FailureLimiter {
  private readonly counter: RateLimiterAbstract | null;

  constructor(options: FailureLimiterOptions) {
    this.limit = options.limit;
    this.onFailure = options.onFailure ?? (() => undefined);
    if (options.limit <= 0) {
      this.counter = null;
      return;
    }
    const common = { points: options.limit, duration: options.windowSeconds ?? 60, keyPrefix: KEY_PREFIX };
    const memory = new RateLimiterMemory(common);
    this.counter = options.pool
      ? // The migration made the table; while the database is unreachable, this process counts alone.
        new RateLimiterPostgres({ ...common, storeClient: options.pool, storeType: 'pool', tableName: KEY_PREFIX, tableCreated: true, insuranceLimiter: memory })
      : memory;
  }

  readonly limit: number;
  private readonly onFailure: () => void;

  /**
   * One secret check: `work` runs, and a failure (UNAUTHENTICATED unless `isFailure` says
   * otherwise) counts against the address and the target, past the limit as RATE_LIMITED.
   */
  async attempt<T>(keys: AttemptKeys, work: () => Promise<T>, isFailure: (error: unknown) => boolean = isUnauthenticated): Promise<T> {
    if (keys.lockTarget && keys.target) await this.refuseWhileOver(keys.target);
    try {
      return await work();
    } catch (error) {
      if (isFailure(error)) await this.fail(keys);
      throw error;
    }
  }

  /** Counts one failure against every key; throws RATE_LIMITED when any is past the limit. */
  async fail(keys: AttemptKeys): Promise<void> {
    this.onFailure();
    if (!this.counter) return;
    const results = await Promise.allSettled(keyNames(keys).map((key) => this.counter!.consume(key)));
    const over = results.flatMap((r) => (r.status === 'rejected' && r.reason instanceof RateLimiterRes ? [r.reason.msBeforeNext] : []));
    if (over.length) throw rateLimited(Math.max(...over));
  }

  private async refuseWhileOver(target: string): Promise<void> {
    const state = await this.counter?.get(targetKey(target)).catch(() => null);
    if (state && state.consumedPoints >= this.limit) throw rateLimited(state.msBeforeNext);
  }
}

function rateLimited(msBeforeNext: number): GatewayError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new GatewayError('RATE_LIMITED', `Too many failed attempts; try again in ${seconds} s.`, { retryAfterSeconds: seconds });
}

function keyNames(keys: AttemptKeys): string[] {
  return keys.target ? [`address:${keys.address}`, targetKey(keys.target)] : [`address:${keys.address}`];
}

/** Targets are caller-chosen text: long or unprintable ones are hashed so every key fits the store's varchar(255) and PostgreSQL text. */
function targetKey(target: string): string {
  // eslint-disable-next-line no-control-regex
  const plain = target.length <= 200 && !/[\u0000-\u001f\u007f]/.test(target);
  return plain ? `target:${target}` : `target:sha256:${createHash('sha256').update(target).digest('hex')}`;
}
