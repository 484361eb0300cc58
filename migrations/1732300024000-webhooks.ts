import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks: each row keeps its own cursor into the event log (no queue of its own: the log is the
 * queue), the lease that lets one instance deliver it at a time, and the retry state of the event
 * at its head. `webhook_delivery` records every attempt for `webhookDeliveries`.
 */
export class Webhooks1732300024000 implements MigrationInterface {
  name = 'Webhooks1732300024000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url varchar(2048) NOT NULL,
        kinds varchar(32)[],
        provider varchar(32),
        audit boolean NOT NULL DEFAULT false,
        secret_sealed text NOT NULL,
        creator_id uuid NOT NULL,
        created_by varchar(255) NOT NULL,
        created_at timestamptz NOT NULL,
        event_cursor varchar(40) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'ACTIVE',
        attempts integer NOT NULL DEFAULT 0,
        failing_since timestamptz,
        next_attempt_at timestamptz,
        last_delivered_at timestamptz,
        lease_owner varchar(64),
        lease_until timestamptz
      )`);
    await q.query(`CREATE INDEX webhook_creator ON webhook (creator_id, created_at, id)`);
    await q.query(`
      CREATE TABLE webhook_delivery (
        id bigserial PRIMARY KEY,
        webhook_id uuid NOT NULL REFERENCES webhook (id) ON DELETE CASCADE,
        event_cursor varchar(40) NOT NULL,
        event_type varchar(64) NOT NULL,
        attempt integer NOT NULL,
        outcome varchar(16) NOT NULL,
        status_code integer,
        error varchar(500),
        attempted_at timestamptz NOT NULL,
        next_retry_at timestamptz
      )`);
    await q.query(`CREATE INDEX webhook_delivery_webhook ON webhook_delivery (webhook_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_delivery`);
    await q.query(`DROP TABLE webhook`);
  }
}
