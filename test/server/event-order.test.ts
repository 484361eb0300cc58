import { createTestDatabase, onPostgres, type TestDatabase } from '../support/database';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { expectOk, graphql } from '../support/graphql';
import { startGatewayProcess, type GatewayProcess } from '../support/process';
import { subscribe } from '../support/ws';

jest.setTimeout(180_000);

/**
 * The event log's promise under load: writers on every instance commit concurrently (no global
 * lock), while a subscriber keeps disconnecting and resuming `after` the last cursor it got, on
 * alternating instances. It must receive exactly the rows of the table, in the log's order: no
 * late commit skipped, nothing twice.
 */
const EVENTS = `subscription($after: String) { tokenEvents(provider: TALEND, after: $after) { cursor kind subjectId } }`;
const WRITERS_PER_INSTANCE = 8;
const WRITE_MS = 6_000;

/** Every event row, in log order, as the cursors subscribers receive. */
type Query = (sql: string) => Promise<{ cursor: string }[]>;

async function tableCursors(query: Query): Promise<string[]> {
  const rows = await query(
    `SELECT (txid::numeric * 18446744073709551616 + cursor)::text AS cursor FROM token_event WHERE provider = 'talend' ORDER BY txid, cursor`,
  );
  return rows.map((r) => r.cursor);
}

async function scenario(urls: string[], query: Query, operator: string) {
  // A Talend user per writer: each holds one personal access token at a time (the vendor allows five).
  let users = 0;
  const writer = async (url: string) => {
    const user = expectOk(
      await graphql(url, 'mutation($name: String!) { createServiceAccount(input: { provider: TALEND, user: $name, permissions: [] }) { serviceAccount { id } } }', { name: `writer-${users++}` }, operator),
    ).createServiceAccount.serviceAccount.id as string;
    let done = 0;
    while (writing) {
      const token = expectOk(await graphql(url, 'mutation($id: ID!) { createAccessToken(input: { serviceAccountId: $id }) { accessToken { id } } }', { id: user }, operator));
      expectOk(await graphql(url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: token.createAccessToken.accessToken.id }, operator));
      done++;
      completed++;
    }
    return done;
  };
  let writing = true;
  let completed = 0;

  const received: string[] = [];
  let sessions = 0;
  let subscribing = true;
  const subscriber = (async () => {
    let after = '0';
    while (subscribing) {
      const sub = await subscribe(urls[sessions++ % urls.length], operator, EVENTS, { after });
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 250));
      sub.dispose();
      // What arrived before the disconnect is what this session delivered; resume after its last.
      const got = sub.events.slice().map((e) => e.tokenEvents.cursor as string);
      if (sub.errors.length) throw new Error(JSON.stringify(sub.errors));
      received.push(...got);
      if (got.length) after = got[got.length - 1];
    }
  })();

  const writers = urls.flatMap((url) => Array.from({ length: WRITERS_PER_INSTANCE }, () => writer(url)));
  let writes = 0;
  let expected: string[] = [];
  try {
    // At least WRITE_MS and 40 writes (a loaded machine is slow), at most 30 s.
    const started = Date.now();
    while ((Date.now() - started < WRITE_MS || completed < 40) && Date.now() - started < 30_000) await new Promise((resolve) => setTimeout(resolve, 100));
    writing = false;
    writes = (await Promise.all(writers)).reduce((a, b) => a + b, 0);
    expected = await tableCursors(query);
    const deadline = Date.now() + 30_000;
    while (received.length < expected.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    writing = false;
    subscribing = false;
    await subscriber;
  }

  // Per writer a CREATED user, then a CREATED and a REVOKED token per write.
  expect(expected.length).toBe(urls.length * WRITERS_PER_INSTANCE + 2 * writes);
  expect(received).toEqual(expected);
  expect(writes).toBeGreaterThan(10);
  expect(sessions).toBeGreaterThanOrEqual(3);
}

(onPostgres ? describe : describe.skip)('two gateway processes on one PostgreSQL', () => {
  const operator = 'event-order-operator-token-0123';
  let database: TestDatabase;
  let a: GatewayProcess;
  let b: GatewayProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.url!, KEYGATE_OPERATOR_TOKEN: operator, KEYGATE_MASTER_KEY: 'z'.repeat(44), KEYGATE_AUTH_FAILURES_PER_MINUTE: '0' };
    a = await startGatewayProcess(env);
    b = await startGatewayProcess(env);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  test('concurrent writers on both, a subscriber resuming again and again on either: exactly the table, in order', async () => {
    const { Client } = await import('pg');
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      await scenario([a.url, b.url], async (sql) => (await client.query(sql)).rows, operator);
    } finally {
      await client.end();
    }
  });
});

describe('one gateway', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  test('concurrent writers, a subscriber resuming again and again: exactly the table, in order', async () => {
    await scenario([t.url], (sql) => t.gateway.db.dataSource.query(sql), OPERATOR_TOKEN);
  });
});
