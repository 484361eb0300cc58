import { AccessTokenEntity } from './access-token.entity';
import { AuditChainHeadEntity, AuditEventEntity } from './audit-event.entity';
import { PrincipalPermissionEntity, PrincipalPersonaEntity } from './grants.entity';
import { PermissionEntity } from './permission.entity';
import { PersonaEntity } from './persona.entity';
import { RefreshTokenEntity } from './refresh-token.entity';
import { PrincipalEntity } from './principal.entity';
import { SigningKeyEntity } from './signing-key.entity';
import { TokenEventEntity } from './token-event.entity';
import { ResourceEntity, ResourceGrantEntity } from './resource.entity';
import { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity';

export * from './access-token.entity';
export * from './audit-event.entity';
export * from './grants.entity';
export * from './permission.entity';
export * from './persona.entity';
export * from './refresh-token.entity';
export * from './principal.entity';
export * from './signing-key.entity';
export * from './token-event.entity';
export * from './resource.entity';
export * from './webhook.entity';

export const entities = [
  PrincipalEntity,
  RefreshTokenEntity,
  AccessTokenEntity,
  PersonaEntity,
  PermissionEntity,
  PrincipalPermissionEntity,
  PrincipalPersonaEntity,
  AuditEventEntity,
  AuditChainHeadEntity,
  TokenEventEntity,
  SigningKeyEntity,
  ResourceEntity,
  ResourceGrantEntity,
  WebhookEntity,
  WebhookDeliveryEntity,
];
export * from './commit-order.column';
