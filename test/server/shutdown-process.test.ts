import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/database';
import { graphql } from '../support/graphql';
import { startGatewayProcess, type GatewayProcess } from '../support/process';
import { sample, scrape } from '../support/prometheus';
import { wsClient } from '../support/ws';

jest.setTimeout(240_000);

const OPERATOR = 'shutdown-operator-token-0123456789';
const IMPORT = `mutation($csv: String!) { importServiceAccounts(provider: ALATION, csv: $csv, confirm: true) { confirmed total errors { line message } } }`;

/** A confirm import of password users: every row costs a memory-hard hash, so the request takes seconds. */
function slowCsv(rows: number, tag: string): string {
  const lines = Array.from({ length: rows }, (_, i) => `${tag}${i}@example.com,User ${i},${tag}${i}@example.com,,STEWARD,Str0ng-Passw0rd-${i}!`);
  return 'user,display_name,email,title,role,password\n' + lines.join('\n') + '\n';
}

let database: TestDatabase;
let folder: string;
beforeAll(async () => {
  database = await createTestDatabase();
  folder = await mkdtemp(join(tmpdir(), 'keygate-shutdown-'));
});
afterAll(async () => {
  await database.drop();
  await rm(folder, { recursive: true, force: true });
});

async function serve(name: string, extra: Record<string, string>): Promise<{ server: GatewayProcess; exited: Promise<number | null> }> {
  const server = await startGatewayProcess({
    DATABASE_URL: database.url ?? '',
    KEYGATE_DATA_DIR: join(folder, name),
    KEYGATE_MASTER_KEY: 'z'.repeat(44),
    KEYGATE_OPERATOR_TOKEN: OPERATOR,
    KEYGATE_MANAGEMENT_PORT: '0',
    ...extra,
  });
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
  return { server, exited };
}

/** Waits until the slow request is being served (its own scrape counts as one in flight). */
async function untilInFlight(managementUrl: string) {
  for (let i = 0; i < 400; i++) {
    if (sample(await scrape(managementUrl), 'keygate_http_requests_in_flight') >= 2) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the slow request never arrived');
}

test('SIGTERM: /readyz 503 at once, the in-flight request completes, WebSockets close with 1001, "keygate stopped", exit 0', async () => {
  const { server, exited } = await serve('drain', { KEYGATE_SHUTDOWN_GRACE_SECONDS: '60' });
  const { client, closed } = wsClient(server.url, OPERATOR);
  await new Promise<void>((resolve) => client.on('connected', () => resolve()));
  expect((await fetch(`${server.managementUrl}/readyz`)).status).toBe(200);

  let finishedAt = 0;
  const slow = graphql(server.url, IMPORT, { csv: slowCsv(40, 'drain') }, OPERATOR).then((r) => ((finishedAt = Date.now()), r));
  await untilInFlight(server.managementUrl);
  const signalledAt = Date.now();
  server.child.kill('SIGTERM');

  // Readiness flips at once, while the request is still being served.
  let readyz = 0;
  for (let i = 0; i < 100 && readyz !== 503; i++) {
    readyz = (await fetch(`${server.managementUrl}/readyz`)).status;
    if (readyz !== 503) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(readyz).toBe(503);
  const readyzAnsweredAt = Date.now();
  // No new connections are accepted on the main port.
  await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();

  const response = await slow;
  expect(response.status).toBe(200);
  expect(response.data?.importServiceAccounts).toEqual({ confirmed: true, total: 40, errors: [] });
  expect(finishedAt).toBeGreaterThan(readyzAnsweredAt);
  expect((await closed).code).toBe(1001);
  await client.dispose();

  expect(await exited).toBe(0);
  const lines = server.output().trim().split('\n').map((line) => JSON.parse(line));
  const at = (msg: string) => lines.findIndex((l) => l.msg === msg);
  expect(at('shutting down')).toBeGreaterThan(-1);
  expect(lines.findIndex((l) => l.msg === 'request' && l.operation === 'anonymous' && l.status === 200)).toBeGreaterThan(at('shutting down'));
  expect(at('keygate stopped')).toBe(lines.length - 1);
  expect(signalledAt).toBeLessThan(finishedAt);
  expect(server.output()).not.toContain(OPERATOR);
});

test('a request still running when the grace ends is cut; the process still stops cleanly with exit 0', async () => {
  const { server, exited } = await serve('grace', { KEYGATE_SHUTDOWN_GRACE_SECONDS: '0.2' });
  const slow = graphql(server.url, IMPORT, { csv: slowCsv(200, 'grace') }, OPERATOR).then(
    (r) => r.status,
    () => 'cut',
  );
  await untilInFlight(server.managementUrl);
  server.child.kill('SIGTERM');
  expect(await slow).toBe('cut');
  expect(await exited).toBe(0);
  expect(server.output()).toContain('shutdown grace ended');
  expect(server.output()).toContain('keygate stopped');
  if (!onPostgres) return;
  // The cut import is one transaction: all of it or none of it.
  const { Client } = await import('pg');
  const pg = new Client({ connectionString: database.url });
  await pg.connect();
  const [{ n }] = (await pg.query("SELECT count(*)::int AS n FROM service_account WHERE name LIKE 'grace%'")).rows;
  await pg.end();
  expect([0, 200]).toContain(n);
});
