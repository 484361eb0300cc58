import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { TxidColumn } from './commit-order.column';

/**
 * Append-only: the application never changes a row's content nor deletes one (a trigger enforces
 * it). The sealer (core/audit/audit-chain.ts) fills the chain columns once per row.
 */
@Entity({ name: 'audit_event' })
@Index('audit_event_at', ['at'])
@Index('audit_event_commit_order', ['txid', 'id'])
@Index('audit_event_seq', ['seq'], { unique: true })
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  /** The writing transaction's id; 0 for rows written before the chain existed. */
  @TxidColumn()
  txid: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'varchar', length: 32, nullable: true })
  provider: string | null;

  /** Who acted: `operator`, `<provider>:<principal id>`, or `anonymous`. */
  @Column({ type: 'varchar', length: 255 })
  actor: string;

  @Column({ type: 'varchar', length: 128 })
  action: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  target: string | null;

  /** success | denied | failed */
  @Column({ type: 'varchar', length: 16 })
  outcome: string;

  /** Where the request came from: `graphql <ip>`, `rest <ip>`, `ws <ip>`, `cli`. */
  @Column({ type: 'varchar', length: 255 })
  origin: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  detail: Record<string, unknown>;

  /** The row's place in the chain (1, 2, …); null until sealed. */
  @Column({ type: 'bigint', nullable: true })
  seq: string | null;

  @Column({ name: 'prev_id', type: 'bigint', nullable: true })
  prevId: string | null;

  @Column({ name: 'prev_hash', type: 'varchar', length: 64, nullable: true })
  prevHash: string | null;

  /** SHA-256 (hex) of the row's canonical record, which includes `prevHash`. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  hash: string | null;
}

/** The newest sealed row of the chain (one row): what the sealer continues from and `verify` ends at. */
@Entity({ name: 'audit_chain_head' })
export class AuditChainHeadEntity {
  @PrimaryColumn({ type: 'smallint' })
  id: number;

  @Column({ type: 'bigint' })
  seq: string;

  @Column({ name: 'audit_id', type: 'bigint', nullable: true })
  auditId: string | null;

  @Column({ type: 'bigint' })
  txid: string;

  @Column({ type: 'varchar', length: 64 })
  hash: string;
}
