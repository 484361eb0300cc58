import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSecret } from '../../src/core';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/database';
import { expectOk, graphql } from '../support/graphql';
import { startGatewayProcess, type GatewayProcess } from '../support/process';

jest.setTimeout(300_000);

const OPERATOR = 'limiter-operator-token-0123456789';
const LIMIT = 5;
const onServer = onPostgres ? describe : describe.skip;

onServer('two `keygate serve` processes on one PostgreSQL database', () => {
  let database: TestDatabase;
  let folder: string;
  let servers: GatewayProcess[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    folder = await mkdtemp(join(tmpdir(), 'keygate-limiter-'));
    const env = (name: string) => ({
      DATABASE_URL: database.url!,
      KEYGATE_DATA_DIR: join(folder, name),
      KEYGATE_MASTER_KEY: 'y'.repeat(44),
      KEYGATE_OPERATOR_TOKEN: OPERATOR,
      KEYGATE_AUTH_FAILURES_PER_MINUTE: String(LIMIT),
    });
    // The first applies the migrations; the second starts on a migrated database.
    servers = [await startGatewayProcess(env('a'))];
    servers.push(await startGatewayProcess(env('b')));
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await database?.drop();
    await rm(folder, { recursive: true, force: true });
  });

  test('share one failure count: guesses split across both end in 429 after the limit; a valid token still works on either', async () => {
    const [a, b] = servers;
    expectOk(
      await graphql(a.url, 'mutation { createServiceAccount(input: { provider: ALATION, user: "shared", displayName: "S", email: "s@example.com", title: "t", role: "VIEWER", password: "Correct-Horse-7" }) { serviceAccount { id } } }', {}, OPERATOR),
    );
    const post = (server: GatewayProcess, path: string, body: unknown) =>
      fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await post(b, '/integration/v1/createRefreshToken/', { username: 'shared', password: 'Correct-Horse-7', name: 'shared' });
    expect(created.status).toBe(201);
    const owner = (await created.json()) as { user_id: number; refresh_token: string };

    const statuses: number[] = [];
    for (let n = 0; n < 40; n++) {
      const guess = await post(servers[n % 2], '/integration/v1/validateRefreshToken/', { refresh_token: generateSecret('rt'), user_id: 500 + n });
      statuses.push(guess.status);
      await guess.body?.cancel();
    }
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(401), ...Array<number>(40 - LIMIT).fill(429)]);

    for (const server of servers) {
      expect((await post(server, '/integration/v1/validateRefreshToken/', { refresh_token: owner.refresh_token, user_id: owner.user_id })).status).toBe(200);
      expect((await graphql(server.url, '{ viewer { name } }', {}, OPERATOR)).status).toBe(200);
    }
  });
});
