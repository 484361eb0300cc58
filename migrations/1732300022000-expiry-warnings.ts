import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Expiry warnings: each token remembers the smallest warning horizon already announced (so each
 * horizon is announced once, and one added to the configuration later is not announced to a token
 * already past it), and an EXPIRING event says which horizon it announces.
 */
export class ExpiryWarnings1732300022000 implements MigrationInterface {
  name = 'ExpiryWarnings1732300022000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['refresh_token', 'access_token']) await q.query(`ALTER TABLE ${table} ADD COLUMN expiry_warned_horizon integer`);
    await q.query(`ALTER TABLE token_event ADD COLUMN horizon_seconds integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE token_event DROP COLUMN horizon_seconds`);
    for (const table of ['refresh_token', 'access_token']) await q.query(`ALTER TABLE ${table} DROP COLUMN expiry_warned_horizon`);
  }
}
