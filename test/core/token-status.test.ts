import { expiryFrom, tokenStatus } from '../../src/core';

test('status comes from expiry and revocation, revocation first', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const later = new Date('2026-01-02T00:00:00Z');
  const earlier = new Date('2025-12-31T00:00:00Z');
  expect(tokenStatus({ expiresAt: later, revokedAt: null }, now)).toBe('ACTIVE');
  expect(tokenStatus({ expiresAt: null, revokedAt: null }, now)).toBe('ACTIVE');
  expect(tokenStatus({ expiresAt: now, revokedAt: null }, now)).toBe('EXPIRED');
  expect(tokenStatus({ expiresAt: earlier, revokedAt: null }, now)).toBe('EXPIRED');
  expect(tokenStatus({ expiresAt: earlier, revokedAt: earlier }, now)).toBe('REVOKED');
  expect(tokenStatus({ expiresAt: later, revokedAt: earlier }, now)).toBe('REVOKED');
  expect(expiryFrom(now, 60)).toEqual(new Date('2026-01-01T00:01:00Z'));
  expect(expiryFrom(now, null)).toBeNull();
});
