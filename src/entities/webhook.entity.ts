import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A destination that receives the event log over HTTPS. `eventCursor` is how far it has been
 * delivered: the log itself is the queue, so a restart or a long outage loses nothing.
 */
@Entity({ name: 'webhook' })
@Index('webhook_creator', ['creatorId', 'createdAt', 'id'])
export class WebhookEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  /** Only these event kinds; null: every kind. */
  @Column({ type: 'varchar', length: 32, array: true, nullable: true })
  kinds: string[] | null;

  /** Only this provider's events; null: every provider the creator may see. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  provider: string | null;

  /** Also receives audit records (operator only). */
  @Column({ type: 'boolean', default: false })
  audit: boolean;

  /** The signing secret under the master key (core/signing/master-key.ts): it must be reused to sign, so it cannot be a hash. */
  @Column({ name: 'secret_sealed', type: 'text' })
  secretSealed: string;

  /** The principal whose visibility the webhook has (the operator's principal for the operator). */
  @Column({ name: 'creator_id', type: 'uuid' })
  creatorId: string;

  @Column({ name: 'created_by', type: 'varchar', length: 255 })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** Position in the event log delivered (or skipped as not visible) through. */
  @Column({ name: 'event_cursor', type: 'varchar', length: 40 })
  eventCursor: string;

  /** With `audit`: the audit chain `seq` delivered through. */
  @Column({ name: 'audit_cursor', type: 'varchar', length: 20, default: '0' })
  auditCursor: string;

  /** ACTIVE | FAILING (the head event has failed for longer than the retry window). */
  @Column({ type: 'varchar', length: 16, default: 'ACTIVE' })
  status: string;

  /** Attempts made for the event at the head. */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** First failed attempt of the event at the head. */
  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true })
  failingSince: Date | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  @Column({ name: 'last_delivered_at', type: 'timestamptz', nullable: true })
  lastDeliveredAt: Date | null;

  /** The instance delivering it, until `leaseUntil` (database time): one deliverer per webhook across a cluster. */
  @Column({ name: 'lease_owner', type: 'varchar', length: 64, nullable: true })
  leaseOwner: string | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;
}

/** One attempt to deliver one event to one webhook. */
@Entity({ name: 'webhook_delivery' })
@Index('webhook_delivery_webhook', ['webhookId', 'id'])
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'webhook_id', type: 'uuid' })
  webhookId: string;

  @Column({ name: 'event_cursor', type: 'varchar', length: 40 })
  eventCursor: string;

  /** The CloudEvents type sent (`dev.keygate.token.revoked`). */
  @Column({ name: 'event_type', type: 'varchar', length: 64 })
  eventType: string;

  @Column({ type: 'integer' })
  attempt: number;

  /** DELIVERED | FAILED */
  @Column({ type: 'varchar', length: 16 })
  outcome: string;

  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode: number | null;

  /** Why it failed when there was no response (refused address, timeout, connection refused). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  error: string | null;

  @Column({ name: 'attempted_at', type: 'timestamptz' })
  attemptedAt: Date;

  @Column({ name: 'next_retry_at', type: 'timestamptz', nullable: true })
  nextRetryAt: Date | null;
}
