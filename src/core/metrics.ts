/**
 * What core reports to whoever measures it. Core calls these hooks and knows nothing of how they
 * are exported; the server implements them with Prometheus counters.
 */
export interface CoreMetrics {
  /** A refresh or access token was issued and committed (`kind`: `refresh` or `access`). */
  tokenIssued(provider: string, kind: string): void;
  /** An event row this instance wrote has committed. */
  eventAppended(kind: string): void;
  /** An event reached this instance's listeners, this many seconds after it was written. */
  eventDelivered(lagSeconds: number): void;
  /** A credential was answered from the per-instance cache (`hit`) or looked up (`miss`). */
  credentialLookup(result: 'hit' | 'miss'): void;
  /** An authentication failed (counted once per request by the implementation). */
  authFailure(): void;
  /** One webhook delivery attempt ended: the receiver answered 2xx (`delivered`) or not (`failed`). */
  webhookAttempt(outcome: 'delivered' | 'failed'): void;
}

export const noMetrics: CoreMetrics = {
  tokenIssued() {},
  eventAppended() {},
  eventDelivered() {},
  credentialLookup() {},
  authFailure() {},
  webhookAttempt() {},
};
