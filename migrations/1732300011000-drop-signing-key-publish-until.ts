import { MigrationInterface, QueryRunner } from 'typeorm';

/** Which keys are published is computed from the tokens they signed; the stored copy was never read. */
export class DropSigningKeyPublishUntil1732300011000 implements MigrationInterface {
  name = 'DropSigningKeyPublishUntil1732300011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE signing_key DROP COLUMN publish_until`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE signing_key ADD COLUMN publish_until timestamptz`);
  }
}
