import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/database';
import { expectOk, graphql } from '../support/graphql';

jest.setTimeout(180_000);

const BIN = join(__dirname, '..', '..', 'bin', 'keygate.js');
let database: TestDatabase;
let folder: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  database = await createTestDatabase();
  folder = mkdtempSync(join(tmpdir(), 'keygate-cli-'));
  env = { ...process.env, KEYGATE_DATA_DIR: join(folder, 'data'), KEYGATE_OPERATOR_TOKEN: '', DATABASE_URL: database.url ?? '', KEYGATE_MASTER_KEY: 'x'.repeat(44), NODE_OPTIONS: '' };
});
afterAll(async () => {
  rmSync(folder, { recursive: true, force: true });
  await database.drop();
});

const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 120_000 });

test('bootstrap prints an operator token once, then refuses; migrate has nothing left to do', () => {
  const first = run('bootstrap', '--json');
  expect(first.status).toBe(0);
  const { token } = JSON.parse(first.stdout);
  expect(token).toMatch(/^kgop_/);
  const second = run('bootstrap');
  expect(second.status).toBe(1);
  expect(second.stderr).toContain('already exists');
  expect(second.stdout).not.toContain('kgop_');
  const migrate = run('migrate');
  expect(migrate.status).toBe(0);
  expect(migrate.stdout).toContain('No pending migrations.');
  expect(run('frobnicate').status).toBe(2);
  process.env.__CLI_TOKEN = token;
});

test('serve answers with the bootstrapped token and shuts down cleanly on SIGTERM', async () => {
  const token = process.env.__CLI_TOKEN!;
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...env, PORT: '0', HOST: '127.0.0.1' } });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${output}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
    child.stdout.on('data', () => {
      const match = /"url":"http:\/\/127\.0\.0\.1:(\d+)\/graphql"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    });
  });
  const viewer = expectOk(await graphql(url, '{ viewer { isOperator } }', {}, token)).viewer;
  expect(viewer).toEqual({ isOperator: true });
  if (!onPostgres) {
    // One process owns an embedded database: a second one is refused, not let in to corrupt it.
    const second = run('migrate');
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('in use by keygate process');
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(output).toContain('keygate stopped');
  expect(output).not.toContain(token);
});
