import type { Clock } from './clock';
import { GatewayError } from './errors';

/**
 * Counts failures per key (an address, a user name) in fixed one-minute windows. Past the limit,
 * the key is refused until its window ends, so guessing credentials costs a minute per `limit`
 * tries. Per instance: a determined attacker spread over instances gets `limit × instances`.
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(
    private readonly clock: Clock,
    /** Failures allowed per key and minute; 0 turns limiting off. */
    readonly limit: number,
    private readonly windowMs = 60_000,
    /** Told of every failure, limited or not (metrics). */
    private readonly onFailure: () => void = () => undefined,
  ) {}

  /** Throws RATE_LIMITED while `key` is over its limit. */
  check(key: string): void {
    if (this.limit <= 0) return;
    const entry = this.current(key);
    if (entry && entry.failures >= this.limit) {
      const seconds = Math.ceil((entry.start + this.windowMs - this.clock.now().getTime()) / 1000);
      throw new GatewayError('RATE_LIMITED', `Too many failed attempts; try again in ${seconds} s.`, { retryAfterSeconds: seconds });
    }
  }

  /**
   * One authentication attempt: refused while any key is over its limit; an UNAUTHENTICATED
   * failure counts against every key. Every place that checks a secret goes through here.
   */
  async attempt<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    for (const key of keys) this.check(key);
    try {
      return await work();
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'UNAUTHENTICATED') for (const key of keys) this.fail(key);
      throw error;
    }
  }

  fail(key: string): void {
    this.onFailure();
    if (this.limit <= 0) return;
    const now = this.clock.now().getTime();
    const entry = this.current(key) ?? { start: now, failures: 0 };
    entry.failures++;
    this.windows.set(key, entry);
    if (this.windows.size > 100_000) this.prune(now);
  }

  private current(key: string) {
    const entry = this.windows.get(key);
    if (!entry) return undefined;
    if (this.clock.now().getTime() - entry.start >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return entry;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.windows) if (now - entry.start >= this.windowMs) this.windows.delete(key);
  }
}
