import { MigrationInterface, QueryRunner } from 'typeorm';

/** Which signing keys are still published is computed from the tokens they signed. */
export class TokenKidIndex1732300006000 implements MigrationInterface {
  name = 'TokenKidIndex1732300006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX access_token_kid ON access_token (kid, expires_at) WHERE kid IS NOT NULL AND revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX access_token_kid`);
  }
}
