import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TxidColumn } from './commit-order.column';

/**
 * The event log: one row per state change, written in the change's own transaction.
 * Subscribers read this table in (txid, cursor) order, below the transaction horizon
 * (core/database/commit-order.ts); NOTIFY only wakes them.
 */
@Entity({ name: 'token_event' })
@Index('token_event_service_account', ['serviceAccountId'])
@Index('token_event_commit_order', ['txid', 'cursor'])
@Index('token_event_provider_commit_order', ['provider', 'txid', 'cursor'])
export class TokenEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  cursor: string;

  /** The writing transaction's id; 0 for rows written before the column existed. */
  @TxidColumn()
  txid: string;

  @Column({ type: 'varchar', length: 32 })
  provider: string;

  /** CREATED | REVOKED | EXPIRED | EXPIRING | DELETED | PERSONAS_CHANGED | PERMISSIONS_CHANGED | SECRET_CHANGED */
  @Column({ type: 'varchar', length: 32 })
  kind: string;

  /** SERVICE_ACCOUNT | REFRESH_TOKEN | ACCESS_TOKEN */
  @Column({ name: 'subject_type', type: 'varchar', length: 32 })
  subjectType: string;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @Column({ name: 'service_account_id', type: 'uuid' })
  serviceAccountId: string;

  @Column({ type: 'varchar', length: 255 })
  actor: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  /** EXPIRING only: the warning horizon, in seconds before the expiry, that this event announces. */
  @Column({ name: 'horizon_seconds', type: 'integer', nullable: true })
  horizonSeconds: number | null;
}
