import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lists page on (created_at, id): these indexes hand a page over in order, so the first page of a
 * million principals costs what it costs at a thousand (no scan, no sort of the whole table).
 * Per provider, and across providers (the operator's list names several in one `IN`).
 */
export class ListIndexes1732300012001 implements MigrationInterface {
  name = 'ListIndexes1732300012001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX service_account_live_by_provider ON service_account (provider, created_at, id) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX service_account_live_by_created ON service_account (created_at, id) WHERE deleted_at IS NULL`);
    for (const table of ['refresh_token', 'access_token']) await q.query(`CREATE INDEX ${table}_by_provider ON ${table} (provider, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['refresh_token', 'access_token']) await q.query(`DROP INDEX ${table}_by_provider`);
    await q.query(`DROP INDEX service_account_live_by_created`);
    await q.query(`DROP INDEX service_account_live_by_provider`);
  }
}
