import { ResourceEntity } from '../../entities';
import type { ChangeScope } from '../change';
import type { Clock } from '../clock';
import type { Database } from '../database';
import { conflict } from '../errors';
import { isUuid } from '../services/pagination';

/** One principal's standing on a resource, with what a vendor shows of the principal. */
export interface ResourceGrant {
  principalId: string;
  level: string;
  kind: string;
  name: string;
  username: string | null;
}

/**
 * Provider objects that principals hold grants on (Atlan connections and collections): the one
 * place that reads and writes `resource` and `resource_grant`. Levels are the provider's words;
 * it says how they rank, and a grant never lowers a standing.
 */
export class ResourceService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async find(provider: string, type: string, id: string): Promise<ResourceEntity | null> {
    if (!isUuid(id)) return null;
    return this.db.manager.findOne(ResourceEntity, { where: { id, provider, type } });
  }

  /** A new resource; `creatorId` (when a principal made it) gets `level` on it. */
  async create(scope: ChangeScope, input: { provider: string; type: string; qualifiedName: string; name: string; createdBy: string }, creator?: { principalId: string; level: string }): Promise<ResourceEntity> {
    const { manager } = scope.tx;
    const taken = await manager.findOne(ResourceEntity, { where: { provider: input.provider, type: input.type, qualifiedName: input.qualifiedName } });
    if (taken) throw conflict(`A ${input.type} "${input.qualifiedName}" already exists.`);
    const now = this.clock.now();
    const resource = await manager.save(manager.create(ResourceEntity, { ...input, createdAt: now }));
    if (creator) await manager.query('INSERT INTO resource_grant (resource_id, principal_id, level, created_at) VALUES ($1, $2, $3, $4)', [resource.id, creator.principalId, creator.level, now]);
    scope.setTarget(resource.id);
    scope.addDetail({ qualifiedName: input.qualifiedName });
    return resource;
  }

  async rename(scope: ChangeScope, resource: ResourceEntity, name: string): Promise<ResourceEntity> {
    await scope.tx.manager.update(ResourceEntity, { id: resource.id }, { name });
    scope.setTarget(resource.id);
    scope.addDetail({ name });
    return { ...resource, name };
  }

  /** Gives a principal `level` on a resource, keeping a higher standing it already has (`rank`: higher wins). */
  async grant(scope: ChangeScope, resourceId: string, principalId: string, level: string, rank: readonly string[]): Promise<void> {
    const rankSql = (column: string) => `array_position($5::text[], ${column})`;
    await scope.tx.manager.query(
      `INSERT INTO resource_grant (resource_id, principal_id, level, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (resource_id, principal_id) DO UPDATE
         SET level = CASE WHEN ${rankSql('resource_grant.level')} >= ${rankSql('EXCLUDED.level')} THEN resource_grant.level ELSE EXCLUDED.level END`,
      [resourceId, principalId, level, this.clock.now(), rank],
    );
    scope.setTarget(resourceId);
    scope.addDetail({ principal: principalId, level });
  }

  async levelOf(principalId: string, resourceId: string): Promise<string | null> {
    const rows: { level: string }[] = await this.db.dataSource.query('SELECT level FROM resource_grant WHERE resource_id = $1 AND principal_id = $2', [resourceId, principalId]);
    return rows[0]?.level ?? null;
  }

  /** Every live principal's standing on a resource. */
  async grantsOf(resourceId: string): Promise<ResourceGrant[]> {
    const rows: { principal_id: string; level: string; kind: string; name: string; username: string | null }[] = await this.db.dataSource.query(
      `SELECT g.principal_id, g.level, a.kind, a.name, a.username
         FROM resource_grant g JOIN service_account a ON a.id = g.principal_id AND a.deleted_at IS NULL
        WHERE g.resource_id = $1`,
      [resourceId],
    );
    return rows.map((r) => ({ principalId: r.principal_id, level: r.level, kind: r.kind, name: r.name, username: r.username }));
  }
}
