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

  await tamper(`UPDATE audit_event SET at = at - interval '1 second' WHERE id = $1`, [second.id]);
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

test('the background sealer seals a row soon after this instance wrote it', async () => {
  await tamper(`DELETE FROM audit_event`);
  await tamper(`UPDATE audit_chain_head SET seq = 0, audit_id = NULL, txid = 0, hash = $1`, [GENESIS_HASH]);
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
