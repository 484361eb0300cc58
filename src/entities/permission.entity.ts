import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A provider's grantable permission, seeded from the plugin's catalog at start. */
@Entity({ name: 'permission' })
export class PermissionEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  provider: string;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  code: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;
}
