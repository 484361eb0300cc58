import { AccessTokenEntity } from './access-token.entity';
import { AuditEventEntity } from './audit-event.entity';
import { ServiceAccountPermissionEntity, ServiceAccountPersonaEntity } from './grants.entity';
import { PermissionEntity } from './permission.entity';
import { PersonaEntity } from './persona.entity';
import { RefreshTokenEntity } from './refresh-token.entity';
import { ServiceAccountEntity } from './service-account.entity';
import { SigningKeyEntity } from './signing-key.entity';
import { TokenEventEntity } from './token-event.entity';
import { ResourceEntity, ResourceGrantEntity } from './resource.entity';

export * from './access-token.entity';
export * from './audit-event.entity';
export * from './grants.entity';
export * from './permission.entity';
export * from './persona.entity';
export * from './refresh-token.entity';
export * from './service-account.entity';
export * from './signing-key.entity';
export * from './token-event.entity';
export * from './resource.entity';

export const entities = [
  ServiceAccountEntity,
  RefreshTokenEntity,
  AccessTokenEntity,
  PersonaEntity,
  PermissionEntity,
  ServiceAccountPermissionEntity,
  ServiceAccountPersonaEntity,
  AuditEventEntity,
  TokenEventEntity,
  SigningKeyEntity,
  ResourceEntity,
  ResourceGrantEntity,
];
