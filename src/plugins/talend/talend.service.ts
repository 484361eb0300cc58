import { randomBytes } from 'node:crypto';
import {
  badInput,
  conflict,
  forbidden,
  hashSecret,
  isUuid,
  notFound,
  SECRET_KINDS,
  unauthenticated,
  verifySecret,
  type Actor,
  type CoreServices,
  type Issued,
  type ProviderDescriptor,
  type RequestContext,
} from '../../core';
import { AccessTokenEntity, PrincipalEntity, PrincipalPermissionEntity } from '../../entities';
import type { AccessTokenInput, ServiceAccountInput } from '../provider';
import {
  DEFAULT_AUDIENCE,
  MAX_ACTIVE_PERSONAL_TOKENS,
  SERVICE_ACCOUNT_TOKEN_SECONDS,
  TALEND_PERMISSIONS,
  TalendActions,
  TalendKind,
  TalendLifespan,
  TalendTokenKind,
  TOKEN_ISSUER,
  TOKEN_TYPE,
  type TalendKindValue,
} from './talend.policy';

/** A Talend account with its permission ids, as both faces show it. */
export interface TalendAccount {
  account: PrincipalEntity;
  permissions: string[];
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** The fields of CreateServiceAccountInput that belong to other vendors. */
const FOREIGN_FIELDS = ['displayName', 'email', 'title', 'role', 'password', 'description', 'personaQualifiedNames', 'validitySeconds'] as const;

const KNOWN_PERMISSIONS = new Set(TALEND_PERMISSIONS.map((p) => p.id));

/** Compared against when the id is unknown, so that an unknown id costs what a known one does. */
const DUMMY_SECRET_HASH = hashSecret(randomBytes(32).toString('hex'));

/**
 * Talend's semantics, shared by the GraphQL hooks and the REST routes: one path, two faces.
 * Core does the storage, secrets, signing, events and audit; this class decides Talend's rules.
 */
export class TalendService {
  constructor(
    private readonly core: CoreServices,
    private readonly provider: ProviderDescriptor,
  ) {}

  // ---- service accounts and users -------------------------------------------------------------

  /** `createServiceAccount` (GraphQL) and `POST /account/service-accounts`: `name` makes a service account, `user` a user. */
  async createAccount(ctx: RequestContext, input: ServiceAccountInput): Promise<Issued<PrincipalEntity>> {
    const foreign = FOREIGN_FIELDS.filter((field) => input[field] !== undefined && input[field] !== null);
    if (foreign.length) throw badInput(`Talend accounts have no ${foreign.join(', ')}: send name and permissions (or user and permissions).`, { field: foreign[0] });
    if (input.user != null && input.name != null) throw badInput('Send either name (a service account) or user (a user), not both.', { field: 'user' });
    const kind: TalendKindValue = input.user != null ? TalendKind.user : TalendKind.serviceAccount;
    const name = this.validName(kind === TalendKind.user ? input.user : input.name, kind === TalendKind.user ? 'user' : 'name', true)!;
    const permissions = this.validPermissions(input.permissions ?? []);
    const action = kind === TalendKind.user ? TalendActions.createUser : TalendActions.createServiceAccount;
    await this.core.guard.require(ctx, this.provider, action);
    this.assertGrantable(ctx.actor, permissions);
    return this.core.db.transaction(async (tx) => {
      const [issued] = await this.core.principals.create(
        ctx,
        this.provider,
        [{ kind, name, permissions, secretKind: kind === TalendKind.serviceAccount ? SECRET_KINDS.serviceAccountSecret : undefined }],
        { action, tx },
      );
      if (kind === TalendKind.serviceAccount) {
        // Talend's `id` is the row's own id: one id for GraphQL, REST, Basic auth and the token's `sub`.
        await tx.manager.update(PrincipalEntity, { id: issued.record.id }, { clientId: issued.record.id });
        issued.record.clientId = issued.record.id;
      }
      return issued;
    });
  }

  /**
   * `PUT /account/service-accounts/{id}` and `PUT /account/users/{id}`: name and/or permissions; an
   * absent field stays as it is. Only permissions the account does not have yet count as granted.
   */
  async updateAccount(ctx: RequestContext, id: string, kind: TalendKindValue, input: { name?: unknown; permissions?: unknown }): Promise<TalendAccount> {
    const action = kind === TalendKind.user ? TalendActions.updateUser : TalendActions.updateServiceAccount;
    await this.core.guard.require(ctx, this.provider, action, { ownerId: id });
    const name = input.name === undefined ? undefined : this.validName(input.name, 'name', true)!;
    const permissions = input.permissions === undefined ? undefined : this.validPermissions(input.permissions);
    return this.core.db.transaction(async (tx) => {
      if (!isUuid(id)) throw notFound(kindLabel(kind));
      await tx.manager.query('SELECT id FROM service_account WHERE id = $1 FOR UPDATE', [id]);
      const account = await this.core.principals.find(id, tx.manager);
      if (!this.isOwn(account, kind)) throw notFound(kindLabel(kind));
      const changed: string[] = [];
      if (permissions) {
        const current = (await tx.manager.find(PrincipalPermissionEntity, { where: { serviceAccountId: id } })).map((g) => g.code);
        this.assertGrantable(ctx.actor, permissions.filter((p) => !current.includes(p)));
        await this.core.principals.setPermissions(ctx, this.provider, id, permissions, tx);
        changed.push('permissions');
      }
      if (name !== undefined && name !== account.name) {
        if (await this.core.principals.findByName(this.provider.id, name, tx.manager)) throw conflict(`A talend account named "${name}" already exists.`);
        account.name = name;
        changed.push('name');
      }
      account.updatedAt = this.core.clock.now();
      await tx.manager.update(PrincipalEntity, { id }, { name: account.name, updatedAt: account.updatedAt });
      await this.core.audit.record(
        { actor: ctx.actor, action, provider: this.provider.id, target: id, outcome: 'success', origin: ctx.origin, detail: { changed } },
        tx.manager,
      );
      const grants = await tx.manager.find(PrincipalPermissionEntity, { where: { serviceAccountId: id }, order: { code: 'ASC' } });
      return { account, permissions: grants.map((g) => g.code) };
    });
  }

  /**
   * Deletes an account and revokes every token it holds, at once. With `only`, the REST face's
   * route for that kind: authorization first, so an unauthorized caller cannot probe ids.
   */
  async deleteAccount(ctx: RequestContext, id: string, only?: TalendKindValue): Promise<{ revokedTokenIds: string[] }> {
    if (only) await this.core.guard.require(ctx, this.provider, this.deleteAction(only), { ownerId: id });
    const account = isUuid(id) ? await this.core.principals.find(id) : null;
    if (!this.isOwn(account, only) || (account.kind !== TalendKind.user && account.kind !== TalendKind.serviceAccount)) throw notFound(kindLabel(only));
    if (!only) await this.core.guard.require(ctx, this.provider, this.deleteAction(account.kind as TalendKindValue), { ownerId: id });
    const { revokedTokenIds } = await this.core.principals.delete(ctx, this.provider, id);
    return { revokedTokenIds };
  }

  /** One account of a kind, for the REST face: authorization first, then 404 for anything else. */
  async getAccount(ctx: RequestContext, id: string, kind: TalendKindValue): Promise<TalendAccount> {
    const action = kind === TalendKind.user ? TalendActions.readUser : TalendActions.readServiceAccount;
    await this.core.guard.require(ctx, this.provider, action, { ownerId: id });
    const account = isUuid(id) ? await this.core.principals.find(id) : null;
    if (!this.isOwn(account, kind)) throw notFound(kindLabel(kind));
    return { account, permissions: await this.permissionsOf(id) };
  }

  /** Every account of a kind, oldest first, for the REST face's lists. */
  async listAccounts(ctx: RequestContext, kind: TalendKindValue): Promise<TalendAccount[]> {
    await this.core.guard.require(ctx, this.provider, kind === TalendKind.user ? TalendActions.listUsers : TalendActions.listServiceAccounts);
    const accounts: PrincipalEntity[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await this.core.principals.list(ctx, [this.provider], { first: 100, after, kinds: [kind] });
      accounts.push(...page.nodes);
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    const permissions = await this.core.catalog.permissionsOf(accounts.map((a) => a.id));
    return accounts.map((account) => ({ account, permissions: (permissions.get(account.id) ?? []).map((p) => p.code) }));
  }

  /** The permission ids an account holds now. */
  async permissionsOf(id: string): Promise<string[]> {
    return ((await this.core.catalog.permissionsOf([id])).get(id) ?? []).map((p) => p.code);
  }

  async permissionCatalog(ctx: RequestContext) {
    return this.core.catalog.permissions(ctx, this.provider);
  }

  // ---- service-account tokens -----------------------------------------------------------------

  /**
   * `POST /security/oauth/token`: HTTP Basic `id:secret` for a 30-minute signed token carrying the
   * account's permissions as they are now. Unknown ids cost the same lookup and comparison as
   * known ones, and every failure is the same 401.
   */
  async exchange(origin: string, address: string, authorization: string | undefined, body: Record<string, unknown>): Promise<TokenResponse> {
    const grantType = body.grant_type;
    if (grantType !== 'client_credentials')
      throw badInput(`Unsupported grant_type${typeof grantType === 'string' ? ` "${grantType.slice(0, 64)}"` : ''}: the supported grant type is "client_credentials".`, {
        field: 'grant_type',
        error: 'unsupported_grant_type',
      });
    const audience = body.audience ?? DEFAULT_AUDIENCE;
    if (typeof audience !== 'string' || audience.length === 0 || audience.length > 255)
      throw badInput('audience must be a string of 1 to 255 characters.', { field: 'audience', error: 'invalid_request' });
    // Guessing secrets from one address costs a minute per few tries (shared with bearer failures).
    this.core.authFailures.check(address);
    const pair = parseBasic(authorization);
    const candidate = await this.core.principals.findByClientId(pair ? pair.id.slice(0, 255) : '');
    const account = candidate && this.isOwn(candidate, TalendKind.serviceAccount) && candidate.secretHash ? candidate : null;
    const matches = verifySecret(pair?.secret ?? '', account?.secretHash ?? DUMMY_SECRET_HASH);
    if (!pair || !account || !matches) {
      this.core.authFailures.fail(address);
      await this.core.audit.record({ actor: null, action: TalendActions.exchangeToken, provider: this.provider.id, target: account?.id ?? null, outcome: 'failed', origin });
      throw unauthenticated();
    }
    const actor = await this.core.credentials.principalActor(account, { id: `basic:${account.id}`, expiresAt: null });
    const lifespanSeconds = this.core.tokens.lifespan(this.provider, TalendLifespan.serviceAccountToken) || SERVICE_ACCOUNT_TOKEN_SECONDS;
    const issued = await this.core.tokens.issueSignedToken({ actor, origin }, this.provider, account, {
      kind: TalendTokenKind.exchanged,
      issuer: TOKEN_ISSUER,
      audience,
      type: TOKEN_TYPE,
      lifespanSeconds,
      claims: { permissions: [...actor.permissions].sort() },
      action: TalendActions.exchangeToken,
    });
    return { access_token: issued.secret!, token_type: 'Bearer', expires_in: lifespanSeconds };
  }

  // ---- personal access tokens -----------------------------------------------------------------

  /**
   * A user's personal access token (GraphQL `createAccessToken`, `POST /account/personal-access-tokens`).
   * It carries no permissions of its own: every request loads the user's current ones. At most
   * five active per user, counted under a lock on the user's row so racing requests cannot make a sixth.
   */
  async createPersonalToken(ctx: RequestContext, input: AccessTokenInput): Promise<Issued<AccessTokenEntity>> {
    if (!ctx.actor) throw unauthenticated();
    if (input.refreshTokenId) throw badInput('Talend has no refresh tokens: a personal access token is created for a user directly.', { field: 'refreshTokenId' });
    if (input.regenerate) throw badInput('Talend personal access tokens are not regenerated: delete one and create another.', { field: 'regenerate' });
    const name = this.validName(input.name, 'name', false);
    const ownerId = input.serviceAccountId ?? (ctx.actor.kind === 'operator' ? null : ctx.actor.principalId);
    if (!ownerId) throw badInput('Say which user the token is for (serviceAccountId).', { field: 'serviceAccountId' });
    await this.core.guard.require(ctx, this.provider, TalendActions.createPersonalToken, { ownerId });
    const owner = isUuid(ownerId) ? await this.core.principals.find(ownerId) : null;
    if (!this.isOwn(owner)) throw notFound('User');
    if (owner.kind !== TalendKind.user)
      throw badInput('Personal access tokens belong to Talend users; a service account exchanges its id and secret at POST /security/oauth/token.', { field: 'serviceAccountId' });
    return this.core.db.transaction(async (tx) => {
      const locked = await tx.manager.query('SELECT id FROM service_account WHERE id = $1 AND deleted_at IS NULL FOR UPDATE', [ownerId]);
      if (!locked.length) throw notFound('User');
      const [{ active }] = await tx.manager.query(
        `SELECT count(*)::int AS active FROM access_token
          WHERE owner_id = $1 AND kind = $2 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3)`,
        [ownerId, TalendTokenKind.personal, this.core.clock.now()],
      );
      if (Number(active) >= MAX_ACTIVE_PERSONAL_TOKENS)
        throw conflict(`A user may hold at most ${MAX_ACTIVE_PERSONAL_TOKENS} active personal access tokens; delete one before creating another.`);
      return this.core.tokens.issueAccessToken(ctx, this.provider, owner, {
        kind: TalendTokenKind.personal,
        lifespanKey: TalendLifespan.personal,
        secretKind: SECRET_KINDS.personalAccessToken,
        name,
        action: TalendActions.createPersonalToken,
        tx,
      });
    });
  }

  /** A user's active personal access tokens (the user, or an administrator with Users - Manage). */
  async listPersonalTokens(ctx: RequestContext, userId: string): Promise<AccessTokenEntity[]> {
    await this.core.guard.require(ctx, this.provider, TalendActions.listPersonalTokens, { ownerId: userId });
    await this.requireUser(userId);
    const tokens = await this.core.db.manager.find(AccessTokenEntity, {
      where: { ownerId: userId, provider: this.provider.id, kind: TalendTokenKind.personal },
      order: { createdAt: 'ASC' },
    });
    return tokens.filter((t) => this.core.tokens.status(t) === 'ACTIVE');
  }

  /** Deletes (revokes) one personal access token; with `userId`, only one of that user's. */
  async deletePersonalToken(ctx: RequestContext, tokenId: string, userId?: string): Promise<void> {
    if (userId) await this.core.guard.require(ctx, this.provider, TalendActions.deletePersonalToken, { ownerId: userId });
    const found = isUuid(tokenId) ? await this.core.tokens.find(tokenId) : null;
    const token = found?.type === 'access' ? found.token : null;
    if (
      !token ||
      token.provider !== this.provider.id ||
      token.kind !== TalendTokenKind.personal ||
      (userId && token.ownerId !== userId) ||
      this.core.tokens.status(token) !== 'ACTIVE'
    )
      throw notFound('Personal access token');
    await this.core.tokens.revoke(ctx, this.provider, tokenId, { action: TalendActions.deletePersonalToken });
  }

  /** Deletes every personal access token of a user at once; returns their ids. */
  async deleteAllPersonalTokens(ctx: RequestContext, userId: string): Promise<string[]> {
    await this.core.guard.require(ctx, this.provider, TalendActions.deletePersonalToken, { ownerId: userId });
    await this.requireUser(userId);
    return this.core.tokens.revokeAllOf(ctx, this.provider, userId, TalendActions.deletePersonalToken);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** The kind of a Talend principal, for the policy's checks (called outside transactions only). */
  async kindOf(principalId: string): Promise<string | null> {
    if (!isUuid(principalId)) return null;
    const rows: { kind: string }[] = await this.core.db.dataSource.query(
      'SELECT kind FROM service_account WHERE id = $1 AND provider = $2 AND deleted_at IS NULL',
      [principalId, this.provider.id],
    );
    return rows[0]?.kind ?? null;
  }

  private async requireUser(userId: string): Promise<PrincipalEntity> {
    const user = isUuid(userId) ? await this.core.principals.find(userId) : null;
    if (!this.isOwn(user, TalendKind.user)) throw notFound('User');
    return user;
  }

  private isOwn(account: PrincipalEntity | null | undefined, kind?: TalendKindValue): account is PrincipalEntity {
    return Boolean(account && account.provider === this.provider.id && (!kind || account.kind === kind));
  }

  private deleteAction(kind: TalendKindValue): string {
    return kind === TalendKind.user ? TalendActions.deleteUser : TalendActions.deleteServiceAccount;
  }

  private validName(value: unknown, field: string, required: boolean): string | undefined {
    if (value === undefined || value === null) {
      if (required) throw badInput(`${field} is required.`, { field });
      return undefined;
    }
    const name = typeof value === 'string' ? value.trim() : '';
    if (!name || name.length > 255) throw badInput(`${field} must be a string of 1 to 255 characters.`, { field });
    return name;
  }

  private validPermissions(value: unknown): string[] {
    if (!Array.isArray(value) || value.some((p) => typeof p !== 'string')) throw badInput('permissions must be an array of permission ids.', { field: 'permissions' });
    if (value.length > 500) throw badInput('permissions lists at most 500 ids.', { field: 'permissions' });
    return [...new Set(value as string[])];
  }

  /** Unknown ids are named first; then a caller may grant only what it holds (the operator anything). */
  private assertGrantable(actor: Actor | null, permissions: readonly string[]): void {
    const unknown = permissions.filter((p) => !KNOWN_PERMISSIONS.has(p));
    if (unknown.length) throw badInput(`Unknown permission(s): ${unknown.join(', ')}.`, { field: 'permissions', unknown });
    if (!actor) throw unauthenticated();
    if (actor.kind === 'operator') return;
    const notHeld = permissions.filter((p) => !actor.permissions.has(p));
    if (notHeld.length) throw forbidden(`You cannot grant permission(s) you do not hold: ${notHeld.join(', ')}.`);
  }
}

function kindLabel(kind: TalendKindValue | undefined): string {
  return kind === TalendKind.user ? 'User' : 'Service account';
}

/** `Authorization: Basic base64(id:secret)`, or null for anything else. */
export function parseBasic(header: string | undefined): { id: string; secret: string } | null {
  const match = header ? /^Basic[ ]+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header) : null;
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}
