import { MigrationInterface, QueryRunner } from 'typeorm';

export class SigningKeys1732300000001 implements MigrationInterface {
  name = 'SigningKeys1732300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE signing_key (
        kid varchar(64) PRIMARY KEY,
        alg varchar(16) NOT NULL,
        public_jwk jsonb NOT NULL,
        private_key_encrypted text NOT NULL,
        created_at timestamptz NOT NULL,
        retired_at timestamptz,
        publish_until timestamptz
      )`);
    await q.query(`ALTER TABLE access_token ADD COLUMN kid varchar(64)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE access_token DROP COLUMN kid`);
    await q.query(`DROP TABLE signing_key`);
  }
}
