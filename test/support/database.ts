import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * Tests run on embedded PGlite by default and on a PostgreSQL server when `DATABASE_URL` is set.
 * On a server each test file gets a database of its own, dropped afterwards.
 */
export const onPostgres = Boolean(process.env.DATABASE_URL);

export interface TestDatabase {
  url?: string;
  dataDir: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!onPostgres) return { dataDir: 'memory://', drop: async () => undefined };
  const base = new URL(process.env.DATABASE_URL!);
  const name = `keygate_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir: 'memory://',
    drop: async () => {
      const client = new Client({ connectionString: base.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A database that survives a gateway's restart: the server's (as above), or embedded PGlite in a folder on disk. */
export async function createDurableTestDatabase(name: string): Promise<TestDatabase> {
  if (onPostgres) return createTestDatabase();
  const folder = mkdtempSync(join(tmpdir(), `keygate-${name}-`));
  return { dataDir: join(folder, 'data'), drop: async () => rmSync(folder, { recursive: true, force: true }) };
}
