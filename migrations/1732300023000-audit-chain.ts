import { MigrationInterface, QueryRunner } from 'typeorm';

const CONTENT = ['id', 'txid', 'at', 'provider', 'actor', 'action', 'target', 'outcome', 'origin', 'detail'];

/**
 * The audit log becomes a hash chain (core/audit/audit-chain.ts). Writers keep inserting without
 * a lock; each row records its writing transaction (`txid`, as token_event does), and the sealer
 * later gives rows below the transaction horizon their place (`seq`), their predecessor
 * (`prev_id`, `prev_hash`) and their `hash`. The append-only trigger admits exactly that one
 * update per row. `audit_chain_head` remembers the newest sealed row, so removing the newest
 * rows is noticed too. Rows already written get txid 0 and are sealed first, in id order.
 */
export class AuditChain1732300023000 implements MigrationInterface {
  name = 'AuditChain1732300023000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_event ADD COLUMN txid bigint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE audit_event ALTER COLUMN txid SET DEFAULT keygate_current_txid()`);
    await q.query(`ALTER TABLE audit_event ADD COLUMN seq bigint, ADD COLUMN prev_id bigint, ADD COLUMN prev_hash varchar(64), ADD COLUMN hash varchar(64)`);
    await q.query(`CREATE INDEX audit_event_commit_order ON audit_event (txid, id)`);
    await q.query(`CREATE UNIQUE INDEX audit_event_seq ON audit_event (seq)`);
    await q.query(`
      CREATE TABLE audit_chain_head (
        id smallint PRIMARY KEY,
        seq bigint NOT NULL,
        audit_id bigint,
        txid bigint NOT NULL,
        hash varchar(64) NOT NULL
      )`);
    await q.query(`INSERT INTO audit_chain_head (id, seq, audit_id, txid, hash) VALUES (1, 0, NULL, 0, repeat('0', 64))`);
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL
           AND (${CONTENT.map((c) => `NEW.${c}`).join(', ')}) IS NOT DISTINCT FROM (${CONTENT.map((c) => `OLD.${c}`).join(', ')}) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_event is append-only';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_event is append-only';
      END $$`);
    await q.query(`DROP TABLE audit_chain_head`);
    await q.query(`DROP INDEX audit_event_seq`);
    await q.query(`DROP INDEX audit_event_commit_order`);
    await q.query(`ALTER TABLE audit_event DROP COLUMN hash, DROP COLUMN prev_hash, DROP COLUMN prev_id, DROP COLUMN seq, DROP COLUMN txid`);
  }
}
