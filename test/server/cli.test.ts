import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli';
import { createTestDatabase, onPostgres } from '../support/database';
import { expectOk, graphql } from '../support/graphql';
import { cliEnvironment, runCli, type CliEnvironment } from '../support/process';
import { recordLog } from '../support/suite-scan';

jest.setTimeout(240_000);

const BIN = join(__dirname, '..', '..', 'bin', 'keygate.js');
const VERSION = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
let workspace: CliEnvironment;
let env: Record<string, string>;
let folder: string;
beforeAll(async () => {
  workspace = await cliEnvironment('cli');
  ({ env, folder } = workspace);
});
afterAll(() => workspace.dispose());

const cli = (...args: string[]) => runCli(args, env);

/** Every command and subcommand, as a user types it. */
const COMMANDS = [[], ['serve'], ['migrate'], ['bootstrap'], ['import'], ['operator-token'], ['operator-token', 'create'], ['operator-token', 'list'], ['operator-token', 'revoke'], ['audit'], ['audit', 'verify'], ['audit', 'export'], ['report'], ['report', 'stale']];

describe('manners', () => {
  test.concurrent.each(COMMANDS.map((command) => [command.join(' '), command] as const))('keygate %s --help / --version print and change nothing', async (_name, command) => {
    const help = await cli(...command, '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain(`Usage: keygate${command.length ? ' ' + command.join(' ') : ''}`);
    const version = await cli(...command, '--version');
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(VERSION);
  });

  test.concurrent.each([
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['bootstrap', '--jsn'], "unknown option '--jsn'"],
    [['serve', 'extra'], 'too many arguments'],
    [['import', 'alation'], "missing required argument 'file'"],
    [['operator-token', 'rotate'], "unknown command 'rotate'"],
    [['operator-token'], 'Usage: keygate operator-token'],
    [['audit'], 'Usage: keygate audit'],
    [['audit', 'export', '--json', '--ndjson'], "option '--ndjson' cannot be used with option '--json'"],
    [['help', 'operator-token', 'rotate'], "unknown command 'operator-token rotate'"],
    [['help', 'import', 'alation', 'users.csv'], "unknown command 'import alation users.csv'"],
    [[], 'Usage: keygate'],
  ])('keygate %j exits 2 with the usage', async (args, message) => {
    const result = await cli(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Usage: keygate');
    expect(result.stdout).toBe('');
  });

  test('help never runs the command: bootstrap --help, then bootstrap still mints the first token', async () => {
    expect((await cli('bootstrap', '--help')).status).toBe(0);
    expect((await cli('help', 'bootstrap')).status).toBe(0);
    const nested = await cli('help', 'operator-token', 'create');
    expect(nested.status).toBe(0);
    expect(nested.stdout).toContain('Usage: keygate operator-token create [options] <name>');
    const first = await cli('bootstrap', '--json');
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ token: expect.stringMatching(/^kgop_/) });
    const second = await cli('bootstrap');
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('already exists');
    expect(second.stdout).not.toContain('kgop_');
    const migrate = await cli('migrate', '--json');
    expect(migrate.status).toBe(0);
    expect(JSON.parse(migrate.stdout)).toEqual({ applied: [] });
    process.env.__CLI_TOKEN = JSON.parse(first.stdout).token;
  });
});

test("the README's Commands table names every command with its arguments and options, and no other", () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf('## Commands');
  const rows = readme
    .slice(start, readme.indexOf('\n## ', start + 5))
    .split('\n')
    .map((line) => /^\| `npx keygate ([^`]+)`/.exec(line.replace('`npm start` / ', ''))?.[1])
    .filter((usage): usage is string => Boolean(usage));
  const leaves = (command: Command, path: string[] = []): { path: string; command: Command }[] =>
    command.commands.length ? command.commands.flatMap((sub) => leaves(sub, [...path, sub.name()])) : [{ path: path.join(' '), command }];
  const commands = leaves(buildProgram());
  for (const { path, command } of commands) {
    const usage = rows.find((row) => row === path || row.startsWith(`${path} `));
    expect({ path, usage }).toEqual({ path, usage: expect.any(String) });
    // Its arguments (`<name>`, or a value such as `alation`); options (`--days N`, `[--since ISO]`) aside.
    const positional = usage!
      .slice(path.length)
      .replace(/\[[^\]]*\]/g, '')
      .replace(/--[a-z-]+( [A-Z]+)?/g, '')
      .split(/\s+/)
      .filter(Boolean);
    expect({ path, positional: positional.length }).toEqual({ path, positional: command.registeredArguments.length });
    for (const option of command.options.filter((o) => !['--help', '--version'].includes(o.long!))) expect(usage).toContain(option.long);
  }
  for (const row of rows) expect(commands.some(({ path }) => row === path || row.startsWith(`${path} `))).toBe(true);
});

describe('with the server running on the same database', () => {
  let child: ReturnType<typeof spawn>;
  let output = '';
  let url: string;

  beforeAll(async () => {
    child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, ...env, NODE_OPTIONS: '', PORT: '0', HOST: '127.0.0.1', KEYGATE_OPERATOR_TOKEN: '' } });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.once('exit', () => recordLog(output));
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line: ${output}`)), 120_000);
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
      child.stdout!.on('data', () => {
        const match = /"url":"http:\/\/127\.0\.0\.1:(\d+)\/graphql"/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${match[1]}`);
        }
      });
    });
  });

  test('operator tokens: create, list and revoke from the CLI, used at once by the server', async () => {
    const token = process.env.__CLI_TOKEN!;
    expect(expectOk(await graphql(url, '{ viewer { isOperator } }', {}, token)).viewer).toEqual({ isOperator: true });
    if (!onPostgres) {
      // The embedded database has one owner; the CLI talks to it through a socket only its user may open.
      const socket = join(folder, 'data', 'run', 'keygate.sock');
      expect(statSync(socket).mode & 0o777).toBe(0o600);
      expect(statSync(join(folder, 'data', 'run')).mode & 0o777).toBe(0o700);
    }
    const again = await cli('bootstrap');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already exists');

    const created = await cli('operator-token', 'create', 'ci', '--json');
    expect(created.status).toBe(0);
    const ci = JSON.parse(created.stdout);
    expect(ci).toEqual({ id: expect.any(String), name: 'ci', token: expect.stringMatching(/^kgop_/) });
    expect(expectOk(await graphql(url, '{ viewer { isOperator } }', {}, ci.token)).viewer.isOperator).toBe(true);

    const listed = JSON.parse((await cli('operator-token', 'list', '--json')).stdout);
    expect(listed.map((t: { name: string; status: string }) => [t.name, t.status])).toEqual([
      ['ci', 'ACTIVE'],
      ['bootstrap', 'ACTIVE'],
    ]);
    expect(JSON.stringify(listed)).not.toContain('kgop_');
    const table = await cli('operator-token', 'list');
    expect(table.stdout).toMatch(/^id\tname\tstatus/);

    const bootstrapId = listed.find((t: { name: string }) => t.name === 'bootstrap').id;
    const revoked = await cli('operator-token', 'revoke', bootstrapId, '--json');
    expect(revoked.status).toBe(0);
    expect(JSON.parse(revoked.stdout)).toEqual({ revokedIds: [bootstrapId] });
    const refused = await graphql(url, '{ viewer { isOperator } }', {}, token);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const last = await cli('operator-token', 'revoke', ci.id);
    expect(last.status).toBe(1);
    expect(last.stderr).toContain('last operator token');
    const unknown = await cli('operator-token', 'revoke', '00000000-0000-0000-0000-000000000000');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('not found');
    process.env.__CLI_TOKEN = ci.token;
  });

  test('migrate answers while the server runs; SIGTERM stops it cleanly with exit 0', async () => {
    const migrate = await cli('migrate');
    expect(migrate.status).toBe(0);
    expect(migrate.stdout).toContain('No pending migrations.');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('keygate stopped');
    for (const secret of [process.env.__CLI_TOKEN!]) expect(output).not.toContain(secret);
  });
});

test('bootstrap when the server is not running: the CLI opens the database itself', async () => {
  const fresh = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-cli-fresh-'));
  try {
    const result = await runCli(['bootstrap', '--json'], { ...env, DATABASE_URL: fresh.url ?? '', KEYGATE_DATA_DIR: dataDir });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).token).toMatch(/^kgop_/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await fresh.drop();
  }
});
