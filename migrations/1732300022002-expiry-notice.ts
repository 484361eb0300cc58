import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the expiry sweeper next has an EXPIRING or EXPIRED to write for a token, so a sweep reads
 * only tokens that are due, not every token expiring within the largest warning horizon. Two
 * partial indexes, one per way the sweeper looks: never looked at (new tokens, by expiry) and
 * scheduled (by next notice).
 */
export class ExpiryNotice1732300022002 implements MigrationInterface {
  name = 'ExpiryNotice1732300022002';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['refresh_token', 'access_token']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN expiry_notice_at timestamptz`);
      await q.query(`CREATE INDEX ${table}_unscheduled_expiry ON ${table} (expires_at) WHERE expiry_announced_at IS NULL AND revoked_at IS NULL AND expiry_notice_at IS NULL`);
      await q.query(`CREATE INDEX ${table}_expiry_notice ON ${table} (expiry_notice_at) WHERE expiry_announced_at IS NULL AND revoked_at IS NULL`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['refresh_token', 'access_token']) {
      await q.query(`DROP INDEX ${table}_expiry_notice`);
      await q.query(`DROP INDEX ${table}_unscheduled_expiry`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN expiry_notice_at`);
    }
  }
}
