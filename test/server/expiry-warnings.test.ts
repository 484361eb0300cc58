import { EventService, type TokenEvent } from '../../src/core';
import { onPostgres } from '../support/database';
import { exampleAccountWithToken } from '../support/example-flow';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { expectOk, graphql } from '../support/graphql';
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
  t.clock.advance(HOURS * 1000);
  await sweepAll();
  expect(await announcements(from, kept.refreshTokenId)).toEqual([`EXPIRING ${2 * HOURS}`, `EXPIRING ${HOURS}`]);
  t.clock.advance(HOURS * 1000);
  await sweepAll();
  expect(await announcements(from, kept.refreshTokenId)).toEqual([`EXPIRING ${2 * HOURS}`, `EXPIRING ${HOURS}`, 'EXPIRING 1', 'EXPIRED']);
  expect(await announcements(from, revoked.refreshTokenId)).toEqual([]);
});
