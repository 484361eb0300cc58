import { authorize, isAllowed, type Actor, type Policy } from '../../src/core';

const provider = (policy: Policy) => ({ id: 'acme', policy });
const actor = (over: Partial<Actor> = {}): Actor => ({
  kind: 'principal',
  provider: 'acme',
  principalId: 'p1',
  principalKind: 'user',
  name: 'p1',
  role: 'VIEWER',
  permissions: new Set(),
  personaIds: [],
  credentialId: 't1',
  credentialExpiresAt: null,
  ...over,
});

describe('authorize', () => {
  const acme = provider({
    'thing.admin': { roles: ['SERVER_ADMIN'] },
    'thing.manage': { permissions: ['MANAGE', 'USE'] },
    'thing.own': { self: true },
    'thing.any': { anyPrincipal: true },
    'thing.custom': { check: (a, target) => target?.ownerId === `friend-of-${a.principalId}` },
  });

  test('roles match exactly, case-sensitively', async () => {
    expect(await isAllowed(actor({ role: 'SERVER_ADMIN' }), acme, 'thing.admin')).toBe(true);
    expect(await isAllowed(actor({ role: 'server_admin' }), acme, 'thing.admin')).toBe(false);
  });

  test('permissions: all of them are needed', async () => {
    expect(await isAllowed(actor({ permissions: new Set(['MANAGE', 'USE']) }), acme, 'thing.manage')).toBe(true);
    expect(await isAllowed(actor({ permissions: new Set(['MANAGE']) }), acme, 'thing.manage')).toBe(false);
  });

  test('self means the target is the actor', async () => {
    expect(await isAllowed(actor(), acme, 'thing.own', { ownerId: 'p1' })).toBe(true);
    expect(await isAllowed(actor(), acme, 'thing.own', { ownerId: 'p2' })).toBe(false);
    expect(await isAllowed(actor(), acme, 'thing.own')).toBe(false);
  });

  test('custom checks and anyPrincipal', async () => {
    expect(await isAllowed(actor(), acme, 'thing.custom', { ownerId: 'friend-of-p1' })).toBe(true);
    expect(await isAllowed(actor(), acme, 'thing.any')).toBe(true);
  });

  test('unknown actions are denied; other providers are denied; the operator is allowed', async () => {
    expect(await isAllowed(actor({ role: 'SERVER_ADMIN' }), acme, 'thing.unlisted')).toBe(false);
    expect(await isAllowed(actor({ provider: 'other', role: 'SERVER_ADMIN' }), acme, 'thing.admin')).toBe(false);
    expect(await isAllowed(actor({ kind: 'operator', provider: 'keygate', role: null }), acme, 'thing.unlisted')).toBe(true);
  });

  test('errors: UNAUTHENTICATED without an actor, FORBIDDEN naming what is needed', async () => {
    await expect(authorize(null, acme, 'thing.admin')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(authorize(actor(), acme, 'thing.admin')).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('SERVER_ADMIN') });
  });
});
