import { MigrationInterface, QueryRunner } from 'typeorm';

/** Marks tokens whose EXPIRED event was written, so that each expiry is announced once. */
export class ExpiryEvents1732300005000 implements MigrationInterface {
  name = 'ExpiryEvents1732300005000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['refresh_token', 'access_token']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN expiry_announced_at timestamptz`);
      await q.query(`CREATE INDEX ${table}_unannounced_expiry ON ${table} (expires_at) WHERE expiry_announced_at IS NULL AND revoked_at IS NULL`);
    }
    await q.query(`CREATE INDEX token_event_provider_cursor ON token_event (provider, cursor)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX token_event_provider_cursor`);
    for (const table of ['refresh_token', 'access_token']) {
      await q.query(`DROP INDEX ${table}_unannounced_expiry`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN expiry_announced_at`);
    }
  }
}
