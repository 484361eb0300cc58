import { Client } from 'pg';
import { auditRecordHash, Database, GENESIS_HASH, type AuditRecord } from '../../src/core';
import { onPostgres, type TestDatabase } from '../support/database';
import { cliEnvironment, runCli, startGatewayProcess, type CliEnvironment } from '../support/process';

jest.setTimeout(300_000);

let workspace: CliEnvironment;
let env: Record<string, string>;
let database: TestDatabase;
beforeAll(async () => {
  workspace = await cliEnvironment('audit');
  ({ env, database } = workspace);
});
afterAll(() => workspace.dispose());

const cli = (...args: string[]) => runCli(args, env);

/** SQL as the database's superuser runs it, past the append-only trigger (keygate is not running). */
async function superuserSql(sql: string, parameters: unknown[] = []): Promise<void> {
  const statements = [`ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only`, sql, `ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only`];
  if (onPostgres) {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      for (const statement of statements) await client.query(statement, statement === sql ? parameters : []);
    } finally {
      await client.end();
    }
  } else {
    const db = await Database.open({ dataDir: env.KEYGATE_DATA_DIR });
    try {
      for (const statement of statements) await db.dataSource.query(statement, statement === sql ? parameters : []);
    } finally {
      await db.close();
    }
  }
}

const lines = (stdout: string): AuditRecord[] =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord);

let records: AuditRecord[];

test('audit verify passes on a clean log and audit export writes the chain as JSON lines, through the running server', async () => {
  expect((await cli('bootstrap')).status).toBe(0);
  const gateway = await startGatewayProcess(env);
  try {
    for (const name of ['ci', 'deploy', 'backup']) expect((await cli('operator-token', 'create', name)).status).toBe(0);
    const verified = await cli('audit', 'verify');
    expect(verified.stderr).toBe('');
    expect(verified.status).toBe(0);
    expect(verified.stdout).toMatch(/^Audit chain intact: 4 row\(s\), head seq 4 \(row \d+\), hash [0-9a-f]{64}\./);

    const exported = await cli('audit', 'export');
    expect(exported.status).toBe(0);
    records = lines(exported.stdout);
    expect(records.map((r) => [r.seq, r.action, r.detail])).toEqual([
      ['1', 'operator.bootstrap', { name: 'bootstrap' }],
      ['2', 'operator.createToken', { name: 'ci' }],
      ['3', 'operator.createToken', { name: 'deploy' }],
      ['4', 'operator.createToken', { name: 'backup' }],
    ]);
    // What a SIEM can check on its own: each hash is SHA-256 of the record without it (RFC 8785), linked to the one before.
    records.forEach((record, i) => {
      expect(record.hash).toBe(auditRecordHash(record));
      expect([record.prevId, record.prevHash]).toEqual(i === 0 ? [null, GENESIS_HASH] : [records[i - 1].id, records[i - 1].hash]);
    });

    const since = records[1].at;
    const until = records[3].at;
    const window = await cli('audit', 'export', '--since', since, '--until', until);
    expect(window.status).toBe(0);
    expect(lines(window.stdout)).toEqual(records.filter((r) => r.at >= since && r.at < until));
    expect(lines((await cli('audit', 'export', '--since', since)).stdout)).toEqual(records.filter((r) => r.at >= since));
    const array = await cli('audit', 'export', '--json');
    expect(JSON.parse(array.stdout)).toEqual(records);
    expect((await cli('audit', 'export', '--ndjson')).stdout).toBe(exported.stdout);

    const bad = await cli('audit', 'export', '--since', 'yesterday');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('ISO 8601');
    expect(bad.stdout).toBe('');
  } finally {
    expect(await gateway.stop()).toBe(0);
  }
});

test('audit verify fails naming the row after an UPDATE in SQL, passes once it is undone, and names the row a DELETE removed', async () => {
  const [, ci, deploy] = records;
  await superuserSql(`UPDATE audit_event SET actor = 'alation:someone-else' WHERE id = $1`, [ci.id]);
  const changed = await cli('audit', 'verify');
  expect(changed.status).toBe(1);
  expect(changed.stdout).toContain(`Audit chain broken after 1 intact row(s): audit row ${ci.id} (seq 2) was changed`);
  const asJson = JSON.parse((await cli('audit', 'verify', '--json')).stdout);
  expect(asJson).toMatchObject({ intact: false, rows: 1, problem: { id: ci.id, seq: '2', reason: 'changed' } });

  await superuserSql(`UPDATE audit_event SET actor = $2 WHERE id = $1`, [ci.id, ci.actor]);
  expect((await cli('audit', 'verify')).status).toBe(0);

  await superuserSql(`DELETE FROM audit_event WHERE id = $1`, [deploy.id]);
  const removed = await cli('audit', 'verify');
  expect(removed.status).toBe(1);
  expect(removed.stdout).toContain(`audit row ${deploy.id} was removed`);
  expect(removed.stdout).toMatch(new RegExp(`^Audit chain broken after 2 intact row\\(s\\): audit row ${deploy.id} was removed: audit row ${records[3].id} \\(seq 4\\) names it as its predecessor, but follows row ${ci.id}\\.`));
});
