import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A provider's object that principals hold grants on: Atlan connections and query collections.
 * `type` says which; `qualified_name` is the vendor's stable name, unique per provider and type.
 */
@Entity({ name: 'resource' })
@Index('resource_provider_type_qualified_name', ['provider', 'type', 'qualifiedName'], { unique: true })
export class ResourceEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 32 })
  provider: string;

  /** connection | collection */
  @Column({ type: 'varchar', length: 32 })
  type: string;

  @Column({ name: 'qualified_name', type: 'varchar', length: 512 })
  qualifiedName: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  /** The creating principal's name, like `service_account.created_by`. */
  @Column({ name: 'created_by', type: 'varchar', length: 255, nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** One principal's standing on one resource: admin | editor | viewer. */
@Entity({ name: 'resource_grant' })
@Index('resource_grant_principal', ['principalId'])
export class ResourceGrantEntity {
  @PrimaryColumn({ name: 'resource_id', type: 'uuid' })
  resourceId: string;

  @PrimaryColumn({ name: 'principal_id', type: 'uuid' })
  principalId: string;

  @Column({ type: 'varchar', length: 16 })
  level: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
