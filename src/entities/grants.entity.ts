import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'service_account_permission' })
export class PrincipalPermissionEntity {
  @PrimaryColumn({ name: 'service_account_id', type: 'uuid' })
  serviceAccountId: string;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  code: string;
}

@Entity({ name: 'service_account_persona' })
@Index('service_account_persona_persona', ['personaId'])
export class PrincipalPersonaEntity {
  @PrimaryColumn({ name: 'service_account_id', type: 'uuid' })
  serviceAccountId: string;

  @PrimaryColumn({ name: 'persona_id', type: 'uuid' })
  personaId: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
