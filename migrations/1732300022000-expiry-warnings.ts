import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Expiry warnings: each token remembers the smallest warning horizon already announced (so each
 * horizon is announced once, and one added to the configuration later is not announced to a token
 * already past it) and when the sweeper next has something to say about it (so a sweep reads only
 * tokens that are due, not every token expiring within the largest horizon); an EXPIRING event
 * says which horizon it announces.
 */
export class ExpiryWarnings1732300022000 implements MigrationInterface {
  name = 'ExpiryWarnings1732300022000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['refresh_token', 'access_token']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN expiry_warned_horizon integer, ADD COLUMN expiry_notice_at timestamptz`);
      // Not yet scheduled (new tokens): found by their expiry. Scheduled: found by their next notice.
      await q.query(`CREATE INDEX ${table}_unscheduled_expiry ON ${table} (expires_at) WHERE expiry_announced_at IS NULL AND revoked_at IS NULL AND expiry_notice_at IS NULL`);
      await q.query(`CREATE INDEX ${table}_expiry_notice ON ${table} (expiry_notice_at) WHERE expiry_announced_at IS NULL AND revoked_at IS NULL`);
    }
    await q.query(`ALTER TABLE token_event ADD COLUMN horizon_seconds integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE token_event DROP COLUMN horizon_seconds`);
    for (const table of ['refresh_token', 'access_token']) {
      await q.query(`DROP INDEX ${table}_expiry_notice`);
      await q.query(`DROP INDEX ${table}_unscheduled_expiry`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN expiry_notice_at, DROP COLUMN expiry_warned_horizon`);
    }
  }
}
