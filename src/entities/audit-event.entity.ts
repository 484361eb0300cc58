import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only: the application never updates or deletes these rows (a trigger enforces it). */
@Entity({ name: 'audit_event' })
@Index('audit_event_at', ['at'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

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
}
