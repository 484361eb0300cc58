export type TokenStatus = 'ACTIVE' | 'EXPIRED' | 'REVOKED';

export interface TokenLifecycle {
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** The one rule for a token's status, used by every face: revocation wins over expiry. */
export function tokenStatus(token: TokenLifecycle, now: Date): TokenStatus {
  if (token.revokedAt) return 'REVOKED';
  if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) return 'EXPIRED';
  return 'ACTIVE';
}

export function expiryFrom(now: Date, lifespanSeconds: number | null | undefined): Date | null {
  if (lifespanSeconds === null || lifespanSeconds === undefined) return null;
  return new Date(now.getTime() + lifespanSeconds * 1000);
}

/**
 * The same rule in SQL, for queries over many rows. `alias` names a row with `revoked_at` and
 * `expires_at`; `now` is the SQL text of the instant (a parameter such as `$1`).
 */
export const tokenStatusSql = {
  ACTIVE: (alias: string, now: string) => `(${alias}.revoked_at IS NULL AND (${alias}.expires_at IS NULL OR ${alias}.expires_at > ${now}))`,
  EXPIRED: (alias: string, now: string) => `(${alias}.revoked_at IS NULL AND ${alias}.expires_at IS NOT NULL AND ${alias}.expires_at <= ${now})`,
  REVOKED: (alias: string, _now: string) => `(${alias}.revoked_at IS NOT NULL)`,
} as const satisfies Record<TokenStatus, (alias: string, now: string) => string>;

/** `tokenStatusSql.ACTIVE`: every query that needs live tokens uses this. */
export const activeTokenSql = tokenStatusSql.ACTIVE;
