import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export interface PersonaPolicy {
  /** What the policy grants, e.g. `connection.admin`, `asset.read`. */
  action: string;
  /** What it applies to, e.g. a connection's qualified name; `*` for everything. */
  resource: string;
}

@Entity({ name: 'persona' })
@Index('persona_provider_qualified_name', ['provider', 'qualifiedName'], { unique: true })
export class PersonaEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 32 })
  provider: string;

  @Column({ name: 'qualified_name', type: 'varchar', length: 512 })
  qualifiedName: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  policies: PersonaPolicy[];

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
