import { MigrationInterface, QueryRunner } from 'typeorm';

/** Rotation with overlap: an OAuth client's previous secret (its hash) stays valid until its expiry. */
export class PreviousClientSecret1732300022001 implements MigrationInterface {
  name = 'PreviousClientSecret1732300022001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE service_account ADD COLUMN previous_secret_hash varchar(64), ADD COLUMN previous_secret_expires_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE service_account DROP COLUMN previous_secret_expires_at, DROP COLUMN previous_secret_hash`);
  }
}
