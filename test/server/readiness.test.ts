import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MasterKey } from '../../src/core';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/database';
import { startTestGateway } from '../support/gateway';

jest.setTimeout(120_000);

/** A database that outlives one gateway (a real folder on PGlite). */
async function durableDatabase(): Promise<TestDatabase> {
  if (onPostgres) return createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'keygate-ready-'));
  return { dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
}

const ready = async (url: string) => {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: await response.json() };
};

test('/readyz: 200 only while the database answers, migrations are applied and signing works', async () => {
  const database = await durableDatabase();
  const keep = { ...database, drop: async () => undefined };
  try {
    const first = await startTestGateway({ database: keep, config: { masterKey: MasterKey.generate() } });
    expect(await ready(first.url)).toEqual({ status: 200, body: { status: 'ready' } });
    expect((await fetch(`${first.url}/.well-known/jwks.json`)).status).toBe(200);

    // A migration the database has not recorded: not ready.
    const [{ name, timestamp }] = await first.gateway.db.dataSource.query('SELECT name, timestamp FROM keygate_migrations ORDER BY id DESC LIMIT 1');
    await first.gateway.db.dataSource.query('DELETE FROM keygate_migrations WHERE name = $1', [name]);
    expect(await ready(first.url)).toEqual({ status: 503, body: { status: 'migrations pending' } });
    await first.gateway.db.dataSource.query('INSERT INTO keygate_migrations (timestamp, name) VALUES ($1, $2)', [timestamp, name]);
    expect((await ready(first.url)).status).toBe(200);
    await first.gateway.stop();

    // The same signing key under another master key cannot be decrypted: not ready, and said why.
    const second = await startTestGateway({ database: keep, config: { masterKey: MasterKey.generate() } });
    try {
      expect(await ready(second.url)).toEqual({ status: 503, body: { status: 'signing unavailable' } });
      expect(second.logs.some((l) => l.includes('readiness: signing keys unusable'))).toBe(true);
    } finally {
      await second.gateway.stop();
    }
  } finally {
    await database.drop();
  }
});
