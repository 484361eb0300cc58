import { Database } from '../../src/core';
import { createTestDatabase } from '../support/database';

test('migrations build exactly the schema the entities describe, and the audit log is append-only', async () => {
  const target = await createTestDatabase();
  const db = await Database.open({ url: target.url, dataDir: target.dataDir });
  try {
    expect(await db.pendingMigrations()).toBe(true);
    await db.migrate();
    expect(await db.pendingMigrations()).toBe(false);
    const diff = await db.dataSource.driver.createSchemaBuilder().log();
    // Foreign keys live in the migrations only (entities carry no relations), so TypeORM would drop them.
    const drift = diff.upQueries.map((q) => q.query).filter((q) => !/DROP CONSTRAINT "\w+_fkey"$/.test(q));
    expect(drift).toEqual([]);

    await db.dataSource.query(`INSERT INTO audit_event (at, actor, action, outcome, origin) VALUES (now(), 'test', 'x', 'success', 'test')`);
    await expect(db.dataSource.query(`UPDATE audit_event SET outcome = 'denied'`)).rejects.toThrow(/append-only/);
    await expect(db.dataSource.query(`DELETE FROM audit_event`)).rejects.toThrow(/append-only/);
  } finally {
    await db.close();
    await target.drop();
  }
});
