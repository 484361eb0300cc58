import { Client } from 'pg';
import { EventService, type TokenEvent } from '../../src/core';
import { signedInUser } from '../plugins/alation/alation-support';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/database';
import { exampleAccountWithToken } from '../support/example-flow';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { expectOk, graphql } from '../support/graphql';
import { startGatewayProcess, type GatewayProcess } from '../support/process';
import { subscribe } from '../support/ws';

const HOURS = 3600;
const HORIZONS = [2 * HOURS, HOURS, 1];
const config = { expiryWarnings: HORIZONS, lifespans: { example: { access: 2, refresh: 3 * HOURS } } };

let t: TestGateway;
/** Every sweeper on the database: two gateways on PostgreSQL; on PGlite (one process) a second event service. */
let sweepers: EventService[];
let closeSecond: () => Promise<void>;

beforeAll(async () => {
  t = await startTestGateway({ config });
  if (onPostgres) {
    const second = await startTestGateway({ config, database: t.database, clock: t.clock });
    sweepers = [t.gateway.core.events, second.gateway.core.events];
    closeSecond = () => second.gateway.stop();
  } else {
    sweepers = [t.gateway.core.events, new EventService(t.gateway.db, t.clock, HORIZONS)];
    closeSecond = async () => undefined;
  }
});
afterAll(async () => {
  await closeSecond();
  await t.close();
});

/** Every sweeper at once, several times over: they compete for the same rows. */
const sweepAll = () => Promise.all([...sweepers, ...sweepers].map((s) => s.sweepExpired()));
const announcements = async (from: string, subjectId: string) =>
  (await t.gateway.core.events.history(from, { kinds: ['EXPIRING', 'EXPIRED'] })).filter((e) => e.subjectId === subjectId).map(label);
const label = (e: Pick<TokenEvent, 'kind' | 'horizonSeconds'>) => (e.kind === 'EXPIRING' ? `EXPIRING ${e.horizonSeconds}` : e.kind);

const EVENTS = `subscription { tokenEvents(provider: EXAMPLE, kinds: [EXPIRING, EXPIRED]) { kind subjectId horizonSeconds } }`;

test('a 2-second token with a 1s horizon: EXPIRING then EXPIRED, once each, with two sweepers competing; subscribers see both', async () => {
  const sub = await subscribe(t.url, OPERATOR_TOKEN, EVENTS);
  try {
    const from = await t.gateway.core.events.head();
    const account = await exampleAccountWithToken(t.url, 'warn-short');
    await sweepAll();
    expect(await announcements(from, account.accessTokenId)).toEqual([]);

    t.clock.advance(1000);
    await sweepAll();
    await sweepAll();
    expect(await announcements(from, account.accessTokenId)).toEqual(['EXPIRING 1']);

    for (let step = 0; step < 4; step++) {
      t.clock.advance(500);
      await sweepAll();
    }
    expect(await announcements(from, account.accessTokenId)).toEqual(['EXPIRING 1', 'EXPIRED']);

    const seen = (await sub.next(2)).map((e) => e.tokenEvents).filter((e) => e.subjectId === account.accessTokenId);
    expect(seen.map(label)).toEqual(['EXPIRING 1', 'EXPIRED']);
  } finally {
    sub.dispose();
  }
});

test('tokens that crossed several horizons while nobody swept: each warning once, largest horizon first, then EXPIRED', async () => {
  const from = await t.gateway.core.events.head();
  const account = await exampleAccountWithToken(t.url, 'warn-backlog');
  t.clock.advance(4 * HOURS * 1000);
  await sweepAll();
  await sweepAll();
  // The 3-hour refresh token entered all three horizons; the 2-second access token lives shorter than 1h and 2h.
  expect(await announcements(from, account.refreshTokenId)).toEqual([`EXPIRING ${2 * HOURS}`, `EXPIRING ${HOURS}`, 'EXPIRING 1', 'EXPIRED']);
  expect(await announcements(from, account.accessTokenId)).toEqual(['EXPIRING 1', 'EXPIRED']);
});

test('a warning per horizon as the token enters it, none for a revoked token', async () => {
  const from = await t.gateway.core.events.head();
  const kept = await exampleAccountWithToken(t.url, 'warn-steps');
  const revoked = await exampleAccountWithToken(t.url, 'warn-revoked');
  expectOk(await graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: revoked.refreshTokenId }, OPERATOR_TOKEN));
  t.clock.advance(HOURS * 1000 + 1000);
  await sweepAll();
  expect(await announcements(from, kept.refreshTokenId)).toEqual([`EXPIRING ${2 * HOURS}`]);
  // Sweeps read the token again only when it enters the next horizon.
  const [scheduled] = await t.gateway.db.dataSource.query('SELECT expires_at, expiry_notice_at FROM refresh_token WHERE id = $1', [kept.refreshTokenId]);
  expect(new Date(scheduled.expiry_notice_at).getTime()).toBe(new Date(scheduled.expires_at).getTime() - HOURS * 1000);
  t.clock.advance(HOURS * 1000);
  await sweepAll();
  expect(await announcements(from, kept.refreshTokenId)).toEqual([`EXPIRING ${2 * HOURS}`, `EXPIRING ${HOURS}`]);
  t.clock.advance(HOURS * 1000);
  await sweepAll();
  expect(await announcements(from, kept.refreshTokenId)).toEqual([`EXPIRING ${2 * HOURS}`, `EXPIRING ${HOURS}`, 'EXPIRING 1', 'EXPIRED']);
  expect(await announcements(from, revoked.refreshTokenId)).toEqual([]);
});

// Two `keygate serve` processes on one PostgreSQL, each with its own sweeper on the real clock.
(onPostgres ? describe : describe.skip)('two gateway processes sweeping one database', () => {
  jest.setTimeout(240_000);
  let database: TestDatabase;
  let gateways: GatewayProcess[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    const env = {
      DATABASE_URL: database.url!,
      KEYGATE_OPERATOR_TOKEN: OPERATOR_TOKEN,
      KEYGATE_MASTER_KEY: 'w'.repeat(44),
      KEYGATE_LIFESPANS: '{"alation":{"access":2}}',
      KEYGATE_EXPIRY_WARNINGS: '1s',
      KEYGATE_EXPIRY_SWEEP_SECONDS: '1',
    };
    gateways = [await startGatewayProcess(env), await startGatewayProcess(env)];
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await database?.drop();
  });

  test('a 2-second Alation access token with horizon 1s: EXPIRING then EXPIRED, once each, seen by a subscriber on the other instance', async () => {
    const [a, b] = gateways;
    const sub = await subscribe(b.url, OPERATOR_TOKEN, 'subscription { tokenEvents(provider: ALATION, kinds: [EXPIRING, EXPIRED]) { kind subjectId horizonSeconds } }');
    try {
      const user = await signedInUser(a.url, 'short-lived@example.com', 'VIEWER');
      const mine = () => sub.events.map((e) => e.tokenEvents).filter((e) => e.subjectId === user.accessTokenId);
      while (mine().length < 2) await sub.next(sub.events.length + 1, 15_000);
      // Both sweepers keep running; a few more rounds would show a duplicate.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(mine().map(label)).toEqual(['EXPIRING 1', 'EXPIRED']);
      const client = new Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query('SELECT kind, horizon_seconds FROM token_event WHERE subject_id = $1 AND kind IN ($2, $3) ORDER BY txid, cursor', [user.accessTokenId, 'EXPIRING', 'EXPIRED']);
      await client.end();
      expect(rows).toEqual([
        { kind: 'EXPIRING', horizon_seconds: 1 },
        { kind: 'EXPIRED', horizon_seconds: null },
      ]);
    } finally {
      sub.dispose();
    }
  });
});
