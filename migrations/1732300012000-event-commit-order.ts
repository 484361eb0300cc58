import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events are read in (writing transaction, cursor) order below the transaction horizon instead of
 * behind one global lock (src/core/database/commit-order.ts). Rows already written get txid 0, so
 * their positions, and any cursor a subscriber kept, stay what they were.
 */
export class EventCommitOrder1732300012000 implements MigrationInterface {
  name = 'EventCommitOrder1732300012000';

  async up(q: QueryRunner): Promise<void> {
    // The writing transaction's id (a 64-bit xid8 that never wraps; bigint holds it for 2^63 transactions).
    await q.query(`CREATE FUNCTION keygate_current_txid() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT pg_current_xact_id()::text::bigint'`);
    await q.query(`ALTER TABLE token_event ADD COLUMN txid bigint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE token_event ALTER COLUMN txid SET DEFAULT keygate_current_txid()`);
    await q.query(`CREATE INDEX token_event_commit_order ON token_event (txid, cursor)`);
    await q.query(`DROP INDEX token_event_provider_cursor`);
    await q.query(`CREATE INDEX token_event_provider_commit_order ON token_event (provider, txid, cursor)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX token_event_provider_commit_order`);
    await q.query(`CREATE INDEX token_event_provider_cursor ON token_event (provider, cursor)`);
    await q.query(`DROP INDEX token_event_commit_order`);
    await q.query(`ALTER TABLE token_event DROP COLUMN txid`);
    await q.query(`DROP FUNCTION keygate_current_txid()`);
  }
}
