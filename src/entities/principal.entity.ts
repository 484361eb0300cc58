import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Every principal a provider knows: Alation users, Atlan API tokens and users, Talend service
 * accounts and users, OAuth clients' system users, and the gateway operator (provider `keygate`).
 * Columns a vendor does not use stay null; `attributes` holds the rest of a vendor's record.
 */
@Entity({ name: 'service_account' })
@Index('service_account_provider_name', ['provider', 'name'], { unique: true, where: 'deleted_at IS NULL' })
@Index('service_account_live_by_provider', ['provider', 'createdAt', 'id'], { where: 'deleted_at IS NULL' })
@Index('service_account_live_by_created', ['createdAt', 'id'], { where: 'deleted_at IS NULL' })
export class PrincipalEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The vendor's integer id (Alation's `user_id`), unique across the gateway. */
  @Column({ type: 'bigint', generated: 'increment', insert: false, update: false })
  number: string;

  @Column({ type: 'varchar', length: 32 })
  provider: string;

  /** user | service_account | api_token | oauth_client | operator: what the vendor calls it. */
  @Column({ type: 'varchar', length: 32 })
  kind: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ name: 'display_name', type: 'varchar', length: 255, nullable: true })
  displayName: string | null;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  title: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  role: string | null;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Index('service_account_client_id', { unique: true, where: 'client_id IS NOT NULL' })
  @Column({ name: 'client_id', type: 'varchar', length: 255, nullable: true })
  clientId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  username: string | null;

  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash: string | null;

  @Column({ name: 'secret_hash', type: 'varchar', length: 64, nullable: true })
  secretHash: string | null;

  /** An OAuth client's secret before the last regeneration, still accepted until `previousSecretExpiresAt`. */
  @Column({ name: 'previous_secret_hash', type: 'varchar', length: 64, nullable: true })
  previousSecretHash: string | null;

  @Column({ name: 'previous_secret_expires_at', type: 'timestamptz', nullable: true })
  previousSecretExpiresAt: Date | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  attributes: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'created_by', type: 'varchar', length: 255, nullable: true })
  createdBy: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}
