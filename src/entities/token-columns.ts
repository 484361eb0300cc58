import { Column, PrimaryGeneratedColumn } from 'typeorm';

/** What every stored token has: the status of a token is computed from these columns alone. */
export abstract class TokenColumns {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 32 })
  provider: string;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  @Column({ name: 'secret_hash', type: 'varchar', length: 64, nullable: true })
  secretHash: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoked_by', type: 'varchar', length: 255, nullable: true })
  revokedBy: string | null;

  /** When its EXPIRED event was written (each expiry is announced once, by one instance). */
  @Column({ name: 'expiry_announced_at', type: 'timestamptz', nullable: true })
  expiryAnnouncedAt: Date | null;

  /** The smallest warning horizon (seconds) whose EXPIRING event was written; null before the first. */
  @Column({ name: 'expiry_warned_horizon', type: 'integer', nullable: true })
  expiryWarnedHorizon: number | null;

  /** When the expiry sweeper next has an EXPIRING or EXPIRED to write; null until it first looks. */
  @Column({ name: 'expiry_notice_at', type: 'timestamptz', nullable: true })
  expiryNoticeAt: Date | null;
}
