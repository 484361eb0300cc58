import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1732300000000 implements MigrationInterface {
  name = 'InitialSchema1732300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE service_account (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number bigserial NOT NULL,
        provider varchar(32) NOT NULL,
        kind varchar(32) NOT NULL,
        name varchar(255) NOT NULL,
        display_name varchar(255),
        email varchar(320),
        title varchar(255),
        role varchar(64),
        description text,
        client_id varchar(255),
        username varchar(255),
        password_hash varchar(255),
        secret_hash varchar(64),
        attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL,
        created_by varchar(255),
        updated_at timestamptz NOT NULL,
        last_used_at timestamptz,
        deleted_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX service_account_provider_name ON service_account (provider, name) WHERE deleted_at IS NULL`);
    await q.query(`CREATE UNIQUE INDEX service_account_client_id ON service_account (client_id) WHERE client_id IS NOT NULL`);

    for (const table of ['refresh_token', 'access_token']) {
      const extra =
        table === 'refresh_token'
          ? `name varchar(255) NOT NULL,`
          : `kind varchar(32) NOT NULL, name varchar(255), refresh_token_id uuid REFERENCES refresh_token (id), jti varchar(64),`;
      await q.query(`
        CREATE TABLE ${table} (
          id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          provider varchar(32) NOT NULL,
          owner_id uuid NOT NULL REFERENCES service_account (id),
          secret_hash varchar(64),
          ${extra}
          created_at timestamptz NOT NULL,
          expires_at timestamptz,
          last_used_at timestamptz,
          revoked_at timestamptz,
          revoked_by varchar(255)
        )`);
      await q.query(`CREATE UNIQUE INDEX ${table}_secret_hash ON ${table} (secret_hash)`);
      await q.query(`CREATE INDEX ${table}_owner ON ${table} (owner_id)`);
    }
    await q.query(`CREATE INDEX access_token_refresh_token ON access_token (refresh_token_id)`);
    await q.query(`CREATE UNIQUE INDEX access_token_jti ON access_token (jti) WHERE jti IS NOT NULL`);

    await q.query(`
      CREATE TABLE persona (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider varchar(32) NOT NULL,
        qualified_name varchar(512) NOT NULL,
        name varchar(255) NOT NULL,
        policies jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX persona_provider_qualified_name ON persona (provider, qualified_name)`);

    await q.query(`
      CREATE TABLE permission (
        provider varchar(32) NOT NULL,
        code varchar(128) NOT NULL,
        name varchar(255) NOT NULL,
        PRIMARY KEY (provider, code)
      )`);
    await q.query(`
      CREATE TABLE service_account_permission (
        service_account_id uuid NOT NULL REFERENCES service_account (id),
        code varchar(128) NOT NULL,
        PRIMARY KEY (service_account_id, code)
      )`);
    await q.query(`
      CREATE TABLE service_account_persona (
        service_account_id uuid NOT NULL REFERENCES service_account (id),
        persona_id uuid NOT NULL REFERENCES persona (id),
        created_at timestamptz NOT NULL,
        PRIMARY KEY (service_account_id, persona_id)
      )`);
    await q.query(`CREATE INDEX service_account_persona_persona ON service_account_persona (persona_id)`);

    await q.query(`
      CREATE TABLE audit_event (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        provider varchar(32),
        actor varchar(255) NOT NULL,
        action varchar(128) NOT NULL,
        target varchar(255),
        outcome varchar(16) NOT NULL,
        origin varchar(255) NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX audit_event_at ON audit_event (at)`);
    // The audit log is append-only even for a buggy or compromised application.
    await q.query(`
      CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_event is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
      FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()`);

    await q.query(`
      CREATE TABLE token_event (
        cursor bigserial PRIMARY KEY,
        provider varchar(32) NOT NULL,
        kind varchar(32) NOT NULL,
        subject_type varchar(32) NOT NULL,
        subject_id uuid NOT NULL,
        service_account_id uuid NOT NULL,
        actor varchar(255) NOT NULL,
        at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX token_event_service_account ON token_event (service_account_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'token_event',
      'audit_event',
      'service_account_persona',
      'service_account_permission',
      'permission',
      'persona',
      'access_token',
      'refresh_token',
      'service_account',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS audit_event_append_only()`);
  }
}
