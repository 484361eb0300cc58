import { randomBytes, randomUUID } from 'node:crypto';
import {
  Acts,
  badInput,
  forbidden,
  GatewayError,
  notFound,
  type Actor,
  type CoreServices,
  type Issued,
  type ProviderDescriptor,
  type RequestContext,
  type ResourceGrant,
} from '../../core';
import type { AccessTokenEntity, PersonaEntity, PrincipalEntity, ResourceEntity } from '../../entities';
import type { AccessTokenInput, ServiceAccountInput } from '../provider';
import { CLIENT_ID_PREFIX, looksLikeClientId, normalizeClientId, readFields, USERNAME_PREFIX, validityFor, type ApiTokenFields } from './atlan.mapper';
import { ATLAN_KINDS, AtlanActions, type GrantLevel, type ResourceTarget } from './atlan.policy';

/** Atlan's users, API tokens and bearer tokens, behind the acts both faces call (authorized by the registry first). */
export class AtlanService {
  constructor(
    private readonly core: CoreServices,
    private readonly provider: ProviderDescriptor,
  ) {}

  kindOf(input: ServiceAccountInput): string {
    return input.user != null ? ATLAN_KINDS.user : ATLAN_KINDS.apiToken;
  }

  /** With `user` (and `role`): an Atlan user. Otherwise an API token, whose value is the secret. */
  async createServiceAccount(ctx: RequestContext, input: ServiceAccountInput): Promise<Issued<PrincipalEntity>> {
    if (input.user != null) {
      const name = input.user.trim();
      if (!name) throw badInput('user is required: the user name.', { field: 'user' });
      if (input.personaQualifiedNames?.length || input.validitySeconds != null)
        throw badInput('personaQualifiedNames and validitySeconds belong to API tokens; leave out `user` to create one.', { field: 'user' });
      const [issued] = await this.core.change(ctx, { provider: this.provider, action: Acts.createServiceAccount }, (scope) =>
        this.core.principals.create(scope, this.provider, [
          { kind: ATLAN_KINDS.user, name, displayName: input.displayName ?? null, email: input.email ?? null, role: input.role ?? '$member', description: input.description ?? null },
        ]),
      );
      return issued;
    }
    if (input.role != null || input.password != null) throw badInput('role and password belong to users: give `user` too.', { field: 'role' });
    const fields = readFields({ displayName: input.displayName, description: input.description ?? '', personaQualifiedNames: input.personaQualifiedNames ?? [] }, { descriptionRequired: false });
    return this.createApiToken(ctx, fields, input.validitySeconds);
  }

  /** An API token: the principal and its one access token, whose value is shown once. */
  private async createApiToken(ctx: RequestContext, fields: ApiTokenFields, validitySeconds: unknown): Promise<Issued<PrincipalEntity>> {
    const validity = validityFor(validitySeconds);
    const clientId = `${CLIENT_ID_PREFIX}${randomUUID()}`;
    return this.core.change(ctx, { provider: this.provider, action: Acts.createServiceAccount }, async (scope) => {
      const [issued] = await this.core.principals.create(scope, this.provider, [
        {
          kind: ATLAN_KINDS.apiToken,
          name: fields.displayName,
          displayName: fields.displayName,
          description: fields.description,
          clientId,
          username: `${USERNAME_PREFIX}${clientId}`,
          attributes: { validitySeconds: validity.stored, workspacePermissions: [] },
          personaQualifiedNames: fields.personaQualifiedNames,
        },
      ]);
      const token = await this.core.tokens.issueAccessToken(scope, this.provider, issued.record, { kind: ATLAN_KINDS.apiToken, lifespanSeconds: validity.lifespanSeconds });
      scope.setTarget(issued.record.id);
      return { record: issued.record, secret: token.secret };
    });
  }

  /** Display name, description and the complete persona set of an API token, in one change under its row lock. */
  async updateServiceAccount(ctx: RequestContext, account: PrincipalEntity, input: ServiceAccountInput): Promise<PrincipalEntity> {
    if (input.name != null || input.permissions != null) throw badInput('Atlan API tokens have a displayName, a description and personas to change.', { field: 'name' });
    if (account.kind !== ATLAN_KINDS.apiToken) throw notFound('API token');
    const fields = readFields(
      {
        displayName: input.displayName ?? account.displayName ?? account.name,
        description: input.description ?? account.description ?? '',
        personaQualifiedNames: input.personaQualifiedNames ?? [],
      },
      { descriptionRequired: false },
    );
    return this.core.change(ctx, { provider: this.provider, action: Acts.updateServiceAccount, target: account.id }, async (scope) => {
      // Locks the row first: a racing update waits, then replaces the whole set in turn.
      const locked = await this.core.principals.lock(scope, account.id, 'API token');
      await this.core.principals.setPersonas(scope, this.provider, locked.id, fields.personaQualifiedNames);
      scope.addDetail({ personas: fields.personaQualifiedNames.length });
      return this.core.principals.update(scope, locked, { name: fields.displayName, displayName: fields.displayName, description: fields.description });
    });
  }

  /** A user's bearer token, for the user itself (or the operator, standing in for its login). */
  async createBearerToken(ctx: RequestContext, owner: PrincipalEntity, input: AccessTokenInput, refreshToken: unknown): Promise<Issued<AccessTokenEntity>> {
    if (refreshToken || input.refreshTokenId) throw badInput('Atlan has no refresh tokens: give serviceAccountId (a user).', { field: 'refreshTokenId' });
    if (owner.kind !== ATLAN_KINDS.user) throw badInput("An API token's value is issued once, when the token is created; create a new API token instead.", { field: 'serviceAccountId' });
    return this.core.change(ctx, { provider: this.provider, action: Acts.createAccessToken }, (scope) =>
      this.core.tokens.issueAccessToken(scope, this.provider, owner, { kind: 'bearer', name: input.name ?? null }),
    );
  }

  async personasOf(ids: readonly string[]): Promise<Map<string, PersonaEntity[]>> {
    return this.core.catalog.personasOf(ids);
  }
}

export type ResourceType = 'connection' | 'collection';
/** Lowest first: a grant never lowers a standing. */
const LEVEL_RANK: readonly GrantLevel[] = ['viewer', 'editor', 'admin'];

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

/**
 * Connections and query collections, and who holds which standing on them: Atlan's own acts
 * (REST only). Each asks core/authz once, with the resource as the target, then writes through core.
 */
export class AtlanResources {
  constructor(
    private readonly core: CoreServices,
    private readonly provider: ProviderDescriptor,
  ) {}

  /** The creating principal becomes the object's admin (the owner, for a collection). */
  async create(ctx: RequestContext, type: ResourceType, body: Record<string, unknown>): Promise<ResourceView> {
    const rules = RULES[type];
    const actor = await this.core.authz.require(ctx, this.provider, rules.create);
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    if (!name || name.length > 255) throw badInput('name is required: 1 to 255 characters.', { field: 'name' });
    if (body.qualifiedName !== undefined && (typeof body.qualifiedName !== 'string' || !body.qualifiedName.trim() || body.qualifiedName.length > 512))
      throw badInput('qualifiedName must be a string of 1 to 512 characters.', { field: 'qualifiedName' });
    const now = this.core.clock.now();
    const qualifiedName =
      (body.qualifiedName as string | undefined)?.trim() || `default/${type === 'connection' ? 'custom' : 'collection'}/${Math.floor(now.getTime() / 1000)}${randomBytes(3).toString('hex')}`;
    const created = await this.core.change(ctx, { provider: this.provider, action: rules.create }, (scope) =>
      this.core.resources.create(
        scope,
        { provider: this.provider.id, type, qualifiedName, name, createdBy: actor.name },
        actor.kind === 'principal' ? { principalId: actor.principalId, level: 'admin' } : undefined,
      ),
    );
    return this.view(created);
  }

  async get(ctx: RequestContext, type: ResourceType, guid: string): Promise<ResourceView> {
    const resource = await this.find(type, guid);
    await this.core.authz.require(ctx, this.provider, RULES[type].read, targetOf(resource));
    return this.view(resource);
  }

  /** A connection's access policy: who administers and who views it. Its admins only. */
  async policies(ctx: RequestContext, type: ResourceType, guid: string) {
    const resource = await this.find(type, guid);
    await this.core.authz.require(ctx, this.provider, RULES[type].manage, targetOf(resource));
    const grants = await this.grants(resource.id);
    return { guid: resource.id, qualifiedName: resource.qualifiedName, records: grants.map((g) => ({ username: g.username, kind: g.kind, level: g.level })) };
  }

  async rename(ctx: RequestContext, type: ResourceType, guid: string, body: Record<string, unknown>): Promise<ResourceView> {
    const resource = await this.find(type, guid);
    await this.core.authz.require(ctx, this.provider, RULES[type].manage, targetOf(resource));
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    if (!name || name.length > 255) throw badInput('name is required: 1 to 255 characters.', { field: 'name' });
    const renamed = await this.core.change(ctx, { provider: this.provider, action: RULES[type].manage }, (scope) => this.core.resources.rename(scope, resource, name));
    return this.view(renamed);
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
    const subject = await this.subject(ctx, body);
    const isToken = subject.kind === ATLAN_KINDS.apiToken;
    const action = isToken ? rules.addToken : rules.manage;
    try {
      await this.core.authz.require(ctx, this.provider, action, targetOf(resource));
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
    await this.core.change(ctx, { provider: this.provider, action }, (scope) => this.core.resources.grant(scope, resource.id, subject.id, level, LEVEL_RANK));
    return this.view(resource);
  }

  private async subject(ctx: RequestContext, body: GrantSubject): Promise<PrincipalEntity> {
    const given = (['apiToken', 'clientId', 'username'] as const).filter((k) => body[k] !== undefined && body[k] !== null);
    if (given.length !== 1 || typeof body[given[0]] !== 'string' || !(body[given[0]] as string).trim())
      throw badInput('Name exactly one principal: "apiToken" (the API token\'s value), "clientId" (apikey-…, with or without service-account-) or "username" (a user).', { field: 'body' });
    const value = (body[given[0]] as string).trim();
    let account: PrincipalEntity | null = null;
    if (given[0] === 'apiToken') {
      let actor: Actor | null = null;
      try {
        // A token's value in a body is a secret check like a bearer header: guesses count.
        actor = await this.core.authFailures.attempt({ address: ctx.address ?? 'unknown' }, () => this.core.credentials.resolve(value));
      } catch (error) {
        if (error instanceof GatewayError && error.code === 'RATE_LIMITED') throw error;
        actor = null;
      }
      if (!actor || actor.provider !== this.provider.id || actor.principalKind !== ATLAN_KINDS.apiToken) throw badInput('apiToken is not a valid, active Atlan API token.', { field: 'apiToken' });
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
    const resource = await this.core.resources.find(this.provider.id, type, guid);
    if (resource) return resource;
    if (!/^[0-9a-f-]{36}$/i.test(guid)) throw badInput(`"${guid}" is not a ${type} GUID.`, { field: 'guid' });
    throw notFound(RULES[type].typeName);
  }

  private async grants(resourceId: string) {
    const rows: ResourceGrant[] = await this.core.resources.grantsOf(resourceId);
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
