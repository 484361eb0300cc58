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
 * The same rule as `tokenStatus() === 'ACTIVE'`, in SQL: every query that needs live tokens uses
 * this. `alias` is the token table's alias (or name); `now` a bound parameter such as `$2`.
 */
export function activeTokenSql(alias: string, now: string): string {
  return `${alias}.revoked_at IS NULL AND (${alias}.expires_at IS NULL OR ${alias}.expires_at > ${now})`;
}
