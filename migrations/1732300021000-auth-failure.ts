import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed authentications per key, counted by rate-limiter-flexible's PostgreSQL store so every
 * instance on one database shares the count (src/core/rate-limit.ts). The columns are the ones
 * that store reads and writes; `expire` is epoch milliseconds. Unused on embedded PGlite, whose
 * single process counts in memory.
 */
export class AuthFailure1732300021000 implements MigrationInterface {
  name = 'AuthFailure1732300021000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE auth_failure (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth_failure`);
  }
}
