import { MigrationInterface, QueryRunner } from 'typeorm';

/** Connections and query collections (Atlan) and the grants principals hold on them. */
export class Resources1732300004000 implements MigrationInterface {
  name = 'Resources1732300004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE resource (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider varchar(32) NOT NULL,
        type varchar(32) NOT NULL,
        qualified_name varchar(512) NOT NULL,
        name varchar(255) NOT NULL,
        created_by varchar(255),
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX resource_provider_type_qualified_name ON resource (provider, type, qualified_name)`);
    await q.query(`
      CREATE TABLE resource_grant (
        resource_id uuid NOT NULL REFERENCES resource (id),
        principal_id uuid NOT NULL REFERENCES service_account (id),
        level varchar(16) NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (resource_id, principal_id)
      )`);
    await q.query(`CREATE INDEX resource_grant_principal ON resource_grant (principal_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS resource_grant`);
    await q.query(`DROP TABLE IF EXISTS resource`);
  }
}
