import { AuditService, auditRecordHash, Database, GENESIS_HASH, systemClock, type AuditRecord } from '../../src/core';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/database';

let target: TestDatabase;
let db: Database;
let audit: AuditService;

beforeAll(async () => {
  target = await createTestDatabase();
  db = await Database.open({ url: target.url, dataDir: target.dataDir });
  await db.migrate();
  audit = new AuditService(db, systemClock);
});
afterAll(async () => {
  await db.close();
  await target.drop();
});

const entry = (action: string, detail: Record<string, unknown> = {}) => ({ actor: null, action, provider: 'keygate', target: null, outcome: 'success' as const, origin: 'test', detail });

/** Every sealed record, in chain order. */
async function everyRecord(): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for (;;) {
    const page = await audit.chain.readSealed(records.at(-1)?.seq ?? null, 1000);
    records.push(...page);
    if (page.length < 1000) return records;
  }
}

/** Runs SQL the way someone with the database's superuser would: past the append-only trigger. */
async function tamper(sql: string, parameters: unknown[] = []): Promise<void> {
  await db.dataSource.query(`ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only`);
  try {
    await db.dataSource.query(sql, parameters);
  } finally {
    await db.dataSource.query(`ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only`);
  }
}

/** Back to an empty log and chain (the previous test left it broken on purpose). */
async function emptyLog(): Promise<void> {
  await tamper(`DELETE FROM audit_event`);
  await tamper(`UPDATE audit_chain_head SET seq = 0, audit_id = NULL, txid = 0, hash = $1`, [GENESIS_HASH]);
}

test('concurrent writers take no lock; the sealer chains every committed row once, in commit order, without a gap', async () => {
  // Transactions that insert in one order and commit in another: the chain follows commit visibility, not insert order.
  const release: Array<() => void> = [];
  // PGlite has one session: the held transactions run one at a time, each released as it waits.
  const releaseAll = onPostgres ? undefined : setInterval(() => release.splice(0).forEach((resolve) => resolve()), 5);
  const held = Array.from({ length: 5 }, (_, i) =>
    db.transaction(async (tx) => {
      await audit.record(entry(`held.${i}`), tx.manager);
      await new Promise<void>((resolve) => release.push(resolve));
    }),
  );
  const quick = Promise.all(Array.from({ length: 40 }, (_, i) => db.transaction((tx) => audit.record(entry(`quick.${i}`, { i }), tx.manager))));
  const rolledBack = db.transaction(async (tx) => {
    await audit.record(entry('rolled.back'), tx.manager);
    throw new Error('undo');
  });
  await expect(rolledBack).rejects.toThrow('undo');
  if (onPostgres) {
    // The held transactions are still open: whatever got its id after theirs waits behind the horizon.
    while (release.length < held.length) await new Promise((resolve) => setTimeout(resolve, 5));
    await quick;
    await audit.chain.seal();
    const early = await everyRecord();
    expect(early.map((r) => r.action).filter((a) => a.startsWith('held.') || a.startsWith('quick.'))).toEqual([]);
    for (const resolve of release.reverse()) resolve();
  }
  await quick;
  await Promise.all(held);
  clearInterval(releaseAll);
  await audit.chain.seal();

  const records = await everyRecord();
  const actions = records.map((r) => r.action);
  expect(actions.filter((a) => a.startsWith('held.'))).toHaveLength(5);
  expect(actions.filter((a) => a.startsWith('quick.'))).toHaveLength(40);
  expect(actions).not.toContain('rolled.back');
  expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => String(i + 1)));
  // The chain an outsider recomputes from an export: RFC 8785 + SHA-256, each link naming the row before.
  records.forEach((record, i) => {
    expect(record.hash).toBe(auditRecordHash(record));
    expect(record.prevHash).toBe(i === 0 ? GENESIS_HASH : records[i - 1].hash);
    expect(record.prevId).toBe(i === 0 ? null : records[i - 1].id);
  });
  expect(await audit.chain.seal()).toBe(0);
  expect(await audit.chain.readSealed(null, 10, { providers: ['talend'] })).toEqual([]);
  expect(await audit.chain.readSealed(records[2].seq, 2, { providers: ['keygate'] })).toEqual(records.slice(3, 5));
  const verified = await audit.chain.verify();
  expect(verified).toMatchObject({ intact: true, rows: 45, unsealed: 0, problem: null, head: { seq: '45', id: records[44].id, hash: records[44].hash } });
});

test('the trigger lets the application seal a row once and change nothing else', async () => {
  await audit.record(entry('sealed.once'));
  await expect(db.dataSource.query(`UPDATE audit_event SET outcome = 'denied' WHERE action = 'sealed.once'`)).rejects.toThrow(/append-only/);
  await audit.chain.seal();
  await expect(db.dataSource.query(`UPDATE audit_event SET hash = repeat('a', 64) WHERE action = 'sealed.once'`)).rejects.toThrow(/append-only/);
  await expect(db.dataSource.query(`UPDATE audit_event SET seq = NULL WHERE action = 'sealed.once'`)).rejects.toThrow(/append-only/);
  await expect(db.dataSource.query(`DELETE FROM audit_event WHERE action = 'sealed.once'`)).rejects.toThrow(/append-only/);
  expect((await audit.chain.verify()).intact).toBe(true);
});

test('verify names the first row changed, re-hashed, or removed (in the middle or at the head)', async () => {
  for (let i = 0; i < 5; i++) await audit.record(entry(`tamper.${i}`, { i }));
  await audit.chain.seal();
  const rows = (await everyRecord()).filter((r) => r.action.startsWith('tamper.'));
  const [, second, third, , fifth] = rows;

  await tamper(`UPDATE audit_event SET detail = '{"i": 99}' WHERE id = $1`, [third.id]);
  expect((await audit.chain.verify()).problem).toMatchObject({ id: third.id, reason: 'changed' });
  // A content edit that also recomputes the row's own hash breaks its successor's link.
  const forged = { ...third, detail: { i: 99 } };
  await tamper(`UPDATE audit_event SET hash = $2 WHERE id = $1`, [third.id, auditRecordHash(forged)]);
  expect((await audit.chain.verify()).problem).toMatchObject({ id: third.id, reason: 'changed' });
  await tamper(`UPDATE audit_event SET detail = '{"i": 2}', hash = $2 WHERE id = $1`, [third.id, third.hash]);
  expect((await audit.chain.verify()).intact).toBe(true);

  await tamper(`UPDATE audit_event SET at = at + interval '1 second' WHERE id = $1`, [second.id]);
  const moved = await audit.chain.verify();
  expect(moved.problem).toMatchObject({ id: second.id, reason: 'changed' });
  expect(moved.problem!.message).toContain(`audit row ${second.id} `);

  await tamper(`UPDATE audit_event SET at = at - interval '1 second' + interval '1 microsecond' WHERE id = $1`, [second.id]);
  expect((await audit.chain.verify()).problem).toMatchObject({ id: second.id, reason: 'changed' });
  await tamper(`UPDATE audit_event SET at = at - interval '1 microsecond' WHERE id = $1`, [second.id]);
  expect((await audit.chain.verify()).intact).toBe(true);
  await tamper(`DELETE FROM audit_event WHERE id = $1`, [third.id]);
  const removed = await audit.chain.verify();
  expect(removed).toMatchObject({ intact: false, problem: { id: third.id, reason: 'removed' } });
  expect(removed.rows).toBeLessThan(Number(removed.head.seq));

  // Put the middle row back as it was, then remove the newest row: the head remembers it.
  await tamper(`INSERT INTO audit_event SELECT * FROM json_populate_record(NULL::audit_event, $1::json)`, [
    JSON.stringify({ id: third.id, txid: 0, at: third.at, provider: third.provider, actor: third.actor, action: third.action, target: third.target, outcome: third.outcome, origin: third.origin, detail: third.detail, seq: third.seq, prev_id: third.prevId, prev_hash: third.prevHash, hash: third.hash }),
  ]);
  expect((await audit.chain.verify()).intact).toBe(true);
  await tamper(`DELETE FROM audit_event WHERE id = $1`, [fifth.id]);
  expect((await audit.chain.verify()).problem).toMatchObject({ id: fifth.id, reason: 'removed' });
});

test('two instances sealing at once while writers write: one chain, each row once, no gap', async () => {
  // A second instance: its own pool on PostgreSQL; on PGlite the one session, shared.
  const other = onPostgres ? await Database.open({ url: target.url, dataDir: target.dataDir }) : db;
  const otherAudit = new AuditService(other, systemClock);
  await emptyLog();
  try {
    let writing = true;
    const sealers = [audit, otherAudit].map(async (instance) => {
      while (writing) await instance.chain.seal();
    });
    await Promise.all(Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; i < 15; i++) await (w % 2 ? other : db).transaction((tx) => (w % 2 ? otherAudit : audit).record(entry(`both.${w}.${i}`), tx.manager));
    }));
    writing = false;
    await Promise.all(sealers);
    const verified = await otherAudit.chain.verify();
    expect(verified).toMatchObject({ intact: true, unsealed: 0, head: { seq: '120' } });
    expect((await everyRecord()).map((r) => r.action).sort()).toEqual(Array.from({ length: 8 }, (_, w) => Array.from({ length: 15 }, (_, i) => `both.${w}.${i}`)).flat().sort());
  } finally {
    if (other !== db) await other.close();
  }
});

test('the background sealer seals a row soon after this instance wrote it', async () => {
  await emptyLog();
  audit.chain.start();
  try {
    await audit.record(entry('background'));
    for (;;) {
      const [row] = await db.dataSource.query(`SELECT seq::text AS seq FROM audit_event WHERE action = 'background'`);
      if (row.seq) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await audit.chain.stop();
  }
  expect(await audit.chain.verify()).toMatchObject({ intact: true, rows: 1, unsealed: 0 });
});

test('a failing background seal is logged once with its cause, retried, and its recovery logged', async () => {
  await emptyLog();
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const logger = {
    debug: () => undefined,
    info: (message: string, fields?: Record<string, unknown>) => void lines.push({ level: 'info', message, fields }),
    warn: (message: string, fields?: Record<string, unknown>) => void lines.push({ level: 'warn', message, fields }),
    error: (message: string, fields?: Record<string, unknown>) => void lines.push({ level: 'error', message, fields }),
    child: () => logger,
  };
  await db.dataSource.query(`ALTER TABLE audit_chain_head RENAME TO audit_chain_head_away`);
  audit.chain.start(logger);
  try {
    await audit.record(entry('sealed.later'));
    const until = async (what: () => boolean) => {
      const deadline = Date.now() + 15_000;
      while (!what()) {
        if (Date.now() > deadline) throw new Error(`not logged: ${JSON.stringify(lines)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await until(() => lines.some((l) => l.level === 'warn'));
    // Retried every second, logged once.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(lines[0].message).toMatch(/audit chain sealing failed/);
    expect(String((lines[0].fields?.err as Error).message)).toMatch(/audit_chain_head/);
    await db.dataSource.query(`ALTER TABLE audit_chain_head_away RENAME TO audit_chain_head`);
    await until(() => lines.some((l) => l.message === 'audit chain sealing recovered'));
  } finally {
    await audit.chain.stop();
    await db.dataSource.query(`ALTER TABLE IF EXISTS audit_chain_head_away RENAME TO audit_chain_head`);
  }
  expect(await audit.chain.verify()).toMatchObject({ intact: true, rows: 1, unsealed: 0 });
});
