import { Client } from 'pg';
import { onPostgres } from '../support/database';
import { exampleAccountWithToken } from '../support/example-flow';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { codes, expectOk, graphql } from '../support/graphql';
import { subscribe, wsClient } from '../support/ws';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ config: { lifespans: { example: { access: 3 } } } });
});
afterAll(() => t.close());

const EVENTS = `subscription($provider: Provider, $kinds: [TokenEventKind!], $after: String) {
  tokenEvents(provider: $provider, kinds: $kinds, after: $after) { cursor provider kind subjectType subjectId serviceAccountId actor }
}`;
const revoke = (id: string) => graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id }, OPERATOR_TOKEN);
/** The newest committed cursor (the tailer may not have read it yet). */
const position = (): Promise<string> => t.gateway.core.events.head();

test('every state change writes its event in the same transaction; failed changes write none', async () => {
  const before = await position();
  const account = await exampleAccountWithToken(t.url, 'ev-log');
  const failed = await graphql(t.url, 'mutation { createServiceAccount(input: { provider: EXAMPLE, name: "ev-log" }) { secret } }', {}, OPERATOR_TOKEN);
  expect(codes(failed)).toEqual(['CONFLICT']);
  expectOk(await revoke(account.refreshTokenId));
  const history = await t.gateway.core.events.history(before);
  expect(history.map((e) => `${e.kind} ${e.subjectType}`)).toEqual([
    'CREATED SERVICE_ACCOUNT',
    'CREATED REFRESH_TOKEN',
    'CREATED ACCESS_TOKEN',
    'REVOKED REFRESH_TOKEN',
    'REVOKED ACCESS_TOKEN',
  ]);
  const cursors = history.map((e) => BigInt(e.cursor));
  expect([...cursors].sort((a, b) => (a < b ? -1 : 1))).toEqual(cursors);
});

test('live delivery, then resume with a cursor: what happened while away arrives once, in order', async () => {
  const account = await exampleAccountWithToken(t.url, 'ev-resume');
  const first = await subscribe(t.url, OPERATOR_TOKEN, EVENTS, { provider: 'EXAMPLE', kinds: ['CREATED', 'REVOKED'] });
  const extra = expectOk(await graphql(t.url, 'mutation($id: ID!) { createRefreshToken(input: { serviceAccountId: $id, name: "extra" }) { refreshToken { id } } }', { id: account.id }, OPERATOR_TOKEN));
  const [live] = await first.next(1);
  expect(live.tokenEvents).toMatchObject({ kind: 'CREATED', subjectId: extra.createRefreshToken.refreshToken.id });
  first.dispose();

  // While away: three changes.
  expectOk(await revoke(account.accessTokenId));
  expectOk(await revoke(extra.createRefreshToken.refreshToken.id));
  const third = expectOk(await graphql(t.url, 'mutation($id: ID!) { createRefreshToken(input: { serviceAccountId: $id, name: "third" }) { refreshToken { id } } }', { id: account.id }, OPERATOR_TOKEN));

  const resumed = await subscribe(t.url, OPERATOR_TOKEN, EVENTS, { provider: 'EXAMPLE', kinds: ['CREATED', 'REVOKED'], after: live.tokenEvents.cursor });
  try {
    const missed = await resumed.next(3);
    expect(missed.map((e) => [e.tokenEvents.kind, e.tokenEvents.subjectId])).toEqual([
      ['REVOKED', account.accessTokenId],
      ['REVOKED', extra.createRefreshToken.refreshToken.id],
      ['CREATED', third.createRefreshToken.refreshToken.id],
    ]);
    expectOk(await revoke(third.createRefreshToken.refreshToken.id));
    const all = await resumed.next(4);
    expect(all[3].tokenEvents).toMatchObject({ kind: 'REVOKED', subjectId: third.createRefreshToken.refreshToken.id });
    const cursors = all.map((e) => e.tokenEvents.cursor);
    expect(new Set(cursors).size).toBe(cursors.length);
  } finally {
    resumed.dispose();
  }
});

test('two overlapping transactions: a subscriber resuming from before both sees both, in commit order', async () => {
  const account = await exampleAccountWithToken(t.url, 'ev-overlap');
  const from = await position();
  const ctx = { actor: await t.gateway.core.credentials.resolve(OPERATOR_TOKEN), origin: 'test' };
  let releaseFirst!: () => void;
  const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
  // The first transaction takes its cursor and stays open; the second starts meanwhile and commits after.
  const first = t.gateway.db.transaction(async (tx) => {
    await t.gateway.core.events.append(tx, ctx.actor, [{ provider: 'example', kind: 'PERMISSIONS_CHANGED', subjectType: 'SERVICE_ACCOUNT', subjectId: account.id, serviceAccountId: account.id }]);
    await firstHolds;
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const second = t.gateway.providers.deleteServiceAccount(ctx, account.id);
  // A reader polling meanwhile must never see the later change without the earlier one.
  const seen: string[][] = [];
  const poll = (async () => {
    for (let i = 0; i < 10; i++) {
      seen.push((await t.gateway.core.events.history(from)).map((e) => e.kind));
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 150));
  releaseFirst();
  await Promise.all([first, second, poll]);
  for (const snapshot of seen) if (snapshot.length) expect(snapshot[0]).toBe('PERMISSIONS_CHANGED');

  const sub = await subscribe(t.url, OPERATOR_TOKEN, EVENTS, { provider: 'EXAMPLE', after: from });
  try {
    const events = await sub.next(4);
    expect(events.map((e) => e.tokenEvents.kind)).toEqual(['PERMISSIONS_CHANGED', 'REVOKED', 'REVOKED', 'DELETED']);
  } finally {
    sub.dispose();
  }
});

test('who may listen: operator and provider admins everything of their provider, a principal only its own', async () => {
  const admin = await exampleAccountWithToken(t.url, 'ev-admin', 'ADMIN');
  const member = await exampleAccountWithToken(t.url, 'ev-member');
  const stranger = await exampleAccountWithToken(t.url, 'ev-stranger');
  const from = await position();
  const subs = {
    operator: await subscribe(t.url, OPERATOR_TOKEN, EVENTS, { after: from }),
    admin: await subscribe(t.url, admin.token, EVENTS, { after: from }),
    member: await subscribe(t.url, member.token, EVENTS, { after: from }),
  };
  try {
    expectOk(await revoke(stranger.refreshTokenId));
    const spare = expectOk(await graphql(t.url, 'mutation($id: ID!) { createRefreshToken(input: { serviceAccountId: $id, name: "m" }) { refreshToken { id } } }', { id: member.id }, OPERATOR_TOKEN));
    expect((await subs.operator.next(3)).length).toBe(3);
    expect((await subs.admin.next(3)).length).toBe(3);
    const mine = await subs.member.next(1);
    expect(mine.map((e) => e.tokenEvents.subjectId)).toEqual([spare.createRefreshToken.refreshToken.id]);
    const bad = await subscribe(t.url, member.token, EVENTS, { kinds: ['EXPLODED'] });
    await bad.next(1).catch(() => undefined);
    expect(JSON.stringify(bad.errors)).toContain('EXPLODED');
    expect(JSON.stringify(bad.errors)).toContain('BAD_USER_INPUT');
    bad.dispose();
  } finally {
    Object.values(subs).forEach((s) => s.dispose());
  }
});

test('a subscriber whose credential expires is disconnected with 4403', async () => {
  const account = await exampleAccountWithToken(t.url, 'ev-expiring');
  const { client, closed } = wsClient(t.url, account.token);
  expect((await closed).code).toBe(4403);
  await client.dispose();
});

test('expiry: one EXPIRED event per token, once, however many sweepers run', async () => {
  const account = await exampleAccountWithToken(t.url, 'ev-expiry');
  const from = await position();
  t.clock.advance(8 * 24 * 3600 * 1000);
  try {
    const counts = await Promise.all([t.gateway.core.events.sweepExpired(), t.gateway.core.events.sweepExpired(), t.gateway.core.events.sweepExpired()]);
    await t.gateway.core.events.sweepExpired();
    const announced = (await t.gateway.core.events.history(from)).filter((e) => e.kind === 'EXPIRED' || e.kind === 'EXPIRING');
    const ids = announced.filter((e) => e.kind === 'EXPIRED').map((e) => e.subjectId);
    expect(ids).toEqual(expect.arrayContaining([account.refreshTokenId, account.accessTokenId]));
    expect(new Set(ids).size).toBe(ids.length);
    // The sweepers' counts add up to what the log holds: warnings (7d, 1d) and expiries, none twice.
    expect(counts.reduce((a, b) => a + b, 0)).toBe(announced.length);
  } finally {
    t.clock.advance(-8 * 24 * 3600 * 1000);
  }
});

test('revocation takes effect at once on this instance, cache or not', async () => {
  const account = await exampleAccountWithToken(t.url, 'ev-cache');
  for (let i = 0; i < 3; i++) expectOk(await graphql(t.url, '{ viewer { name } }', {}, account.token));
  expectOk(await revoke(account.accessTokenId));
  expect(codes(await graphql(t.url, '{ viewer { name } }', {}, account.token))).toEqual(['UNAUTHENTICATED']);
});

test('expiry: a backlog larger than one batch drains in one sweep', async () => {
  const account = await exampleAccountWithToken(t.url, 'ev-backlog');
  const from = await position();
  const past = new Date(t.clock.now().getTime() - 3600_000);
  await t.gateway.db.dataSource.query(
    `INSERT INTO access_token (provider, owner_id, kind, created_at, expires_at) SELECT 'example', $1, 'access', $2, $2 FROM generate_series(1, 2500)`,
    [account.id, past],
  );
  expect(await t.gateway.core.events.sweepExpired()).toBeGreaterThanOrEqual(2500);
  const expired = [];
  for (let page = await t.gateway.core.events.history(from, { kinds: ['EXPIRED'] }); page.length; page = await t.gateway.core.events.history(page[page.length - 1].cursor, { kinds: ['EXPIRED'] }))
    expired.push(...page.filter((e) => e.serviceAccountId === account.id));
  expect(expired.length).toBe(2500);
});

(onPostgres ? test : test.skip)('a long transaction in another database on the cluster does not hold delivery back', async () => {
  const elsewhere = new Client({ connectionString: process.env.DATABASE_URL });
  await elsewhere.connect();
  await elsewhere.query('BEGIN');
  await elsewhere.query('SELECT pg_current_xact_id()');
  try {
    const account = await exampleAccountWithToken(t.url, 'ev-elsewhere');
    const sub = await subscribe(t.url, OPERATOR_TOKEN, EVENTS, { provider: 'EXAMPLE', kinds: ['REVOKED'] });
    try {
      expectOk(await revoke(account.accessTokenId));
      expect((await sub.next(1, 5000))[0].tokenEvents.subjectId).toBe(account.accessTokenId);
    } finally {
      sub.dispose();
    }
  } finally {
    await elsewhere.query('ROLLBACK');
    await elsewhere.end();
  }
});
