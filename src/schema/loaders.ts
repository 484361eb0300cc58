import DataLoader from 'dataloader';
import { In, IsNull } from 'typeorm';
import {
  AccessTokenEntity,
  RefreshTokenEntity,
  PrincipalEntity,
  type PermissionEntity,
  type PersonaEntity,
} from '../entities';
import type { CoreServices } from '../core';

function groupBy<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string | null): T[][] {
  const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const row of rows) {
    const key = keyOf(row);
    if (key !== null) groups.get(key)?.push(row);
  }
  return keys.map((k) => groups.get(k)!);
}

/**
 * One DataLoader per relation the schema exposes, made per request: a list of N accounts with
 * their tokens, personas and permissions costs a constant number of statements, not N.
 */
export function createLoaders(core: CoreServices) {
  const manager = () => core.db.manager;
  return {
    serviceAccount: new DataLoader<string, PrincipalEntity | null>(async (ids) => {
      const rows = await manager().find(PrincipalEntity, { where: { id: In([...ids]), deletedAt: IsNull() } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    refreshToken: new DataLoader<string, RefreshTokenEntity | null>(async (ids) => {
      const rows = await manager().find(RefreshTokenEntity, { where: { id: In([...ids]) } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    refreshTokensByOwner: new DataLoader<string, RefreshTokenEntity[]>(async (ownerIds) => {
      const rows = await manager().find(RefreshTokenEntity, { where: { ownerId: In([...ownerIds]) }, order: { createdAt: 'ASC' } });
      return groupBy(ownerIds, rows, (r) => r.ownerId);
    }),
    accessTokensByOwner: new DataLoader<string, AccessTokenEntity[]>(async (ownerIds) => {
      const rows = await manager().find(AccessTokenEntity, { where: { ownerId: In([...ownerIds]) }, order: { createdAt: 'ASC' } });
      return groupBy(ownerIds, rows, (r) => r.ownerId);
    }),
    accessTokensByRefreshToken: new DataLoader<string, AccessTokenEntity[]>(async (refreshIds) => {
      const rows = await manager().find(AccessTokenEntity, { where: { refreshTokenId: In([...refreshIds]) }, order: { createdAt: 'ASC' } });
      return groupBy(refreshIds, rows, (r) => r.refreshTokenId);
    }),
    personasByAccount: new DataLoader<string, PersonaEntity[]>(async (ids) => {
      const map = await core.catalog.personasOf(ids);
      return ids.map((id) => map.get(id) ?? []);
    }),
    permissionsByAccount: new DataLoader<string, PermissionEntity[]>(async (ids) => {
      const map = await core.catalog.permissionsOf(ids);
      return ids.map((id) => map.get(id) ?? []);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
