import { randomBytes } from 'node:crypto';
import {
  badInput,
  conflict,
  forbidden,
  GatewayError,
  isUuid,
  notFound,
  type Actor,
  type CoreServices,
  type ProviderDescriptor,
  type RequestContext,
} from '../../core';
import { ResourceEntity, PrincipalEntity, type PersonaPolicy } from '../../entities';
import { looksLikeClientId, normalizeClientId } from './api-tokens';
import { ATLAN_KINDS, AtlanActions, type AccessFacts, type GrantLevel, type ResourceTarget } from './atlan.policy';

export type ResourceType = 'connection' | 'collection';

const RANK_SQL = (column: string) => `(CASE ${column} WHEN 'admin' THEN 3 WHEN 'editor' THEN 2 ELSE 1 END)`;

interface TypeRules {
  typeName: string;
  create: string;
  read: string;
  /** Adding or listing users: the object's own admins (connections) or editors (collections). */
  manage: string;
  addToken: string;
  /** The standing a caller needs, in words, for refusals. */
  standing: string;
  /** Route segment → level: `admins` on a connection, `editors` (or `admins`) on a collection, `viewers` on both. */
  levels: Record<string, GrantLevel>;
}

const RULES: Record<ResourceType, TypeRules> = {
  connection: {
    typeName: 'Connection',
    create: AtlanActions.createConnection,
    read: AtlanActions.readConnection,
    manage: AtlanActions.manageConnectionPolicies,
    addToken: AtlanActions.addTokenToConnection,
    standing: 'already is an admin of the connection',
    levels: { admins: 'admin', viewers: 'viewer' },
  },
  collection: {
    typeName: 'Collection',
    create: AtlanActions.createCollection,
    read: AtlanActions.readCollection,
    manage: AtlanActions.editCollection,
    addToken: AtlanActions.addTokenToCollection,
    standing: 'already is an editor or the owner of the collection',
    levels: { editors: 'editor', admins: 'editor', viewers: 'viewer' },
  },
};

export interface ResourceView {
  guid: string;
  typeName: string;
  attributes: {
    qualifiedName: string;
    name: string;
    createdBy: string | null;
    createdAt: number;
    /** Connection admins; collection owner and editors. Users by name, API tokens as `service-account-apikey-…`. */
    adminUsers: string[];
    viewerUsers: string[];
  };
}

/** The principal a grant is for: an API token (by value or client id) or a user (by name). */
export type GrantSubject = { apiToken?: unknown; clientId?: unknown; username?: unknown };

/** Connections and query collections, and who holds which standing on them. */
export class Resources implements AccessFacts {
  constructor(
    private readonly core: CoreServices,
    private readonly provider: ProviderDescriptor,
    private readonly actorFor: (value: string) => Promise<Actor>,
  ) {}

  async levelOf(principalId: string, resourceId: string): Promise<GrantLevel | null> {
    const rows: { level: GrantLevel }[] = await this.core.db.dataSource.query(
      'SELECT level FROM resource_grant WHERE resource_id = $1 AND principal_id = $2',
      [resourceId, principalId],
    );
    return rows[0]?.level ?? null;
  }

  async personaPolicies(personaIds: readonly string[]): Promise<PersonaPolicy[]> {
    return (await this.core.catalog.personasByIds(personaIds)).flatMap((p) => p.policies ?? []);
  }

  /** The creating principal becomes the object's admin (the owner, for a collection). */
  async create(ctx: RequestContext, type: ResourceType, body: Record<string, unknown>): Promise<ResourceView> {
    const rules = RULES[type];
    const actor = await this.core.guard.require(ctx, this.provider, rules.create);
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    if (!name || name.length > 255) throw badInput('name is required: 1 to 255 characters.', { field: 'name' });
    if (body.qualifiedName !== undefined && (typeof body.qualifiedName !== 'string' || !body.qualifiedName.trim() || body.qualifiedName.length > 512))
      throw badInput('qualifiedName must be a string of 1 to 512 characters.', { field: 'qualifiedName' });
    const now = this.core.clock.now();
    const qualifiedName =
      (body.qualifiedName as string | undefined)?.trim() ||
      `default/${type === 'connection' ? 'custom' : 'collection'}/${Math.floor(now.getTime() / 1000)}${randomBytes(3).toString('hex')}`;
    const created = await this.core.db.transaction(async ({ manager }) => {
      const taken = await manager.findOne(ResourceEntity, { where: { provider: this.provider.id, type, qualifiedName } });
      if (taken) throw conflict(`A ${type} "${qualifiedName}" already exists.`);
      const resource = await manager.save(
        manager.create(ResourceEntity, { provider: this.provider.id, type, qualifiedName, name, createdBy: actor.name, createdAt: now }),
      );
      if (actor.kind === 'principal') {
        await manager.query('INSERT INTO resource_grant (resource_id, principal_id, level, created_at) VALUES ($1, $2, $3, $4)', [resource.id, actor.principalId, 'admin', now]);
      }
      await this.core.audit.record(
        { actor: ctx.actor, action: rules.create, provider: this.provider.id, target: resource.id, outcome: 'success', origin: ctx.origin, detail: { qualifiedName } },
        manager,
      );
      return resource;
    });
    return this.view(created);
  }

  async get(ctx: RequestContext, type: ResourceType, guid: string): Promise<ResourceView> {
    const resource = await this.find(type, guid);
    await this.core.guard.require(ctx, this.provider, RULES[type].read, targetOf(resource));
    return this.view(resource);
  }

  /** A connection's access policy: who administers and who views it. Its admins only. */
  async policies(ctx: RequestContext, type: ResourceType, guid: string) {
    const resource = await this.find(type, guid);
    await this.core.guard.require(ctx, this.provider, RULES[type].manage, targetOf(resource));
    const grants = await this.grants(resource.id);
    return { guid: resource.id, qualifiedName: resource.qualifiedName, records: grants.map((g) => ({ username: g.username, kind: g.kind, level: g.level })) };
  }

  async rename(ctx: RequestContext, type: ResourceType, guid: string, body: Record<string, unknown>): Promise<ResourceView> {
    const resource = await this.find(type, guid);
    await this.core.guard.require(ctx, this.provider, RULES[type].manage, targetOf(resource));
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    if (!name || name.length > 255) throw badInput('name is required: 1 to 255 characters.', { field: 'name' });
    await this.core.db.transaction(async ({ manager }) => {
      await manager.update(ResourceEntity, { id: resource.id }, { name });
      await this.core.audit.record(
        { actor: ctx.actor, action: RULES[type].manage, provider: this.provider.id, target: resource.id, outcome: 'success', origin: ctx.origin, detail: { name } },
        manager,
      );
    });
    return this.view({ ...resource, name });
  }

  /**
   * Adds a principal at a level. An API token is added only by a user's bearer token (the
   * impersonation token) whose user already has the standing; the token being added is named by
   * its own value or client id. A user is added by anyone with the standing. Adding never lowers one.
   */
  async grant(ctx: RequestContext, type: ResourceType, guid: string, segment: string, body: GrantSubject): Promise<ResourceView> {
    const rules = RULES[type];
    const level = rules.levels[segment];
    if (!level) throw notFound('Route');
    const resource = await this.find(type, guid);
    if (!ctx.actor) throw new GatewayError('UNAUTHENTICATED', 'Send the bearer token of a user who ' + rules.standing + '.');
    const subject = await this.subject(body);
    const isToken = subject.kind === ATLAN_KINDS.apiToken;
    const action = isToken ? rules.addToken : rules.manage;
    try {
      await this.core.guard.require(ctx, this.provider, action, targetOf(resource));
    } catch (error) {
      const caller = ctx.actor;
      if (error instanceof GatewayError && error.code === 'FORBIDDEN' && isToken && caller.kind === 'principal') {
        if (caller.principalKind === ATLAN_KINDS.apiToken) {
          const who = caller.principalId === subject.id ? 'An API token cannot add itself' : 'An API token cannot add an API token';
          throw forbidden(`${who} as ${level} of a ${type}: send the bearer token of a user who ${rules.standing} (the impersonation token), naming the API token in the body.`);
        }
        throw forbidden(`This user's bearer token cannot add an API token as ${level}: its user must be one who ${rules.standing}.`);
      }
      throw error;
    }
    const now = this.core.clock.now();
    await this.core.db.transaction(async ({ manager }) => {
      await manager.query(
        `INSERT INTO resource_grant (resource_id, principal_id, level, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (resource_id, principal_id) DO UPDATE
           SET level = CASE WHEN ${RANK_SQL('resource_grant.level')} >= ${RANK_SQL('EXCLUDED.level')} THEN resource_grant.level ELSE EXCLUDED.level END`,
        [resource.id, subject.id, level, now],
      );
      await this.core.audit.record(
        { actor: ctx.actor, action, provider: this.provider.id, target: resource.id, outcome: 'success', origin: ctx.origin, detail: { principal: subject.id, level } },
        manager,
      );
    });
    return this.view(resource);
  }

  private async subject(body: GrantSubject): Promise<PrincipalEntity> {
    const given = (['apiToken', 'clientId', 'username'] as const).filter((k) => body[k] !== undefined && body[k] !== null);
    if (given.length !== 1 || typeof body[given[0]] !== 'string' || !(body[given[0]] as string).trim())
      throw badInput('Name exactly one principal: "apiToken" (the API token\'s value), "clientId" (apikey-…, with or without service-account-) or "username" (a user).', { field: 'body' });
    const value = (body[given[0]] as string).trim();
    let account: PrincipalEntity | null = null;
    if (given[0] === 'apiToken') {
      let actor: Actor | null = null;
      try {
        actor = await this.actorFor(value);
      } catch {
        actor = null;
      }
      if (!actor || actor.provider !== this.provider.id || actor.principalKind !== ATLAN_KINDS.apiToken)
        throw badInput('apiToken is not a valid, active Atlan API token.', { field: 'apiToken' });
      account = await this.core.principals.find(actor.principalId);
    } else if (given[0] === 'clientId' || looksLikeClientId(value)) {
      const found = await this.core.principals.findByClientId(normalizeClientId(value));
      account = found && found.provider === this.provider.id && found.kind === ATLAN_KINDS.apiToken ? found : null;
      if (!account) throw badInput(`No Atlan API token has client id "${value}".`, { field: given[0] });
    } else {
      const found = await this.core.principals.findByName(this.provider.id, value);
      account = found && found.kind === ATLAN_KINDS.user ? found : null;
      if (!account) throw badInput(`No Atlan user is named "${value}".`, { field: 'username' });
    }
    if (!account) throw badInput('That principal no longer exists.', { field: given[0] });
    return account;
  }

  private async find(type: ResourceType, guid: string): Promise<ResourceEntity> {
    if (!isUuid(guid)) throw badInput(`"${guid}" is not a ${type} GUID.`, { field: 'guid' });
    const resource = await this.core.db.manager.findOne(ResourceEntity, { where: { id: guid, provider: this.provider.id, type } });
    if (!resource) throw notFound(RULES[type].typeName);
    return resource;
  }

  private async grants(resourceId: string) {
    const rows: { level: GrantLevel; kind: string; name: string; username: string | null }[] = await this.core.db.dataSource.query(
      `SELECT g.level, a.kind, a.name, a.username
         FROM resource_grant g JOIN service_account a ON a.id = g.principal_id AND a.deleted_at IS NULL
        WHERE g.resource_id = $1`,
      [resourceId],
    );
    return rows
      .map((r) => ({ level: r.level, kind: r.kind, username: r.kind === ATLAN_KINDS.apiToken && r.username ? r.username : r.name }))
      .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  }

  private async view(resource: ResourceEntity): Promise<ResourceView> {
    const grants = await this.grants(resource.id);
    return {
      guid: resource.id,
      typeName: RULES[resource.type as ResourceType].typeName,
      attributes: {
        qualifiedName: resource.qualifiedName,
        name: resource.name,
        createdBy: resource.createdBy,
        createdAt: new Date(resource.createdAt).getTime(),
        adminUsers: grants.filter((g) => g.level !== 'viewer').map((g) => g.username),
        viewerUsers: grants.filter((g) => g.level === 'viewer').map((g) => g.username),
      },
    };
  }
}

function targetOf(resource: ResourceEntity): ResourceTarget {
  return { resourceId: resource.id, qualifiedName: resource.qualifiedName };
}
