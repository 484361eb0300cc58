import { MigrationInterface, QueryRunner } from 'typeorm';

/** Webhooks with `audit` also follow the audit chain: a second cursor, a chain `seq`. */
export class WebhookAuditCursor1732300024001 implements MigrationInterface {
  name = 'WebhookAuditCursor1732300024001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook ADD COLUMN audit_cursor varchar(20) NOT NULL DEFAULT '0'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook DROP COLUMN audit_cursor`);
  }
}
