import {
  Acts,
  badInput,
  notFound,
  SECRET_KINDS,
  type ActName,
  type AnyToken,
  type AuthorizationTarget,
  type CoreServices,
  type RequestContext,
} from '../core';
import type { PrincipalEntity, RefreshTokenEntity } from '../entities';
import { MAX_SECRET_OVERLAP_SECONDS, type ActRegistry, type Expect, type ListQuery, type PrincipalRef, type TokenExpect, type TokenList } from './acts';
import { createAlationProvider } from './alation/alation.provider';
import { createAtlanProvider } from './atlan/atlan.provider';
import type { ProviderFactory, ProviderPlugin } from './provider';
import { createTalendProvider } from './talend/talend.provider';

/** The providers a production gateway runs. Removing a vendor is deleting its folder and its line here. */
export const defaultProviders: ProviderFactory[] = [createAlationProvider, createAtlanProvider, createTalendProvider];

const kindsOf = (expect?: Expect) => (expect?.kind === undefined ? null : typeof expect.kind === 'string' ? [expect.kind] : expect.kind);

/**
 * The providers of one gateway, and the acts: every face reaches a provider through here. Each
 * act resolves its provider, loads its target, asks core/authz once, then runs the provider's
 * method or core's default. A view made by `scopedTo(id)` (a provider's REST face) finds only
 * that provider's objects.
 */
export class ProviderRegistry implements ActRegistry {
  private readonly byId: Map<string, ProviderPlugin>;
  private scope: string | null = null;

  constructor(
    factories: readonly ProviderFactory[],
    private readonly core: CoreServices,
  ) {
    this.byId = new Map();
    for (const factory of factories) {
      const { id } = factory.manifest;
      if (!/^[a-z][a-z0-9]{1,30}$/.test(id)) throw new Error(`Invalid provider id "${id}".`);
      if (this.byId.has(id)) throw new Error(`Provider "${id}" is registered twice.`);
      const plugin = factory(core);
      this.byId.set(plugin.id, plugin);
    }
  }

  /** The acts as one provider's REST face sees them: another provider's objects are not found. */
  scopedTo(providerId: string): ActRegistry {
    const view = Object.create(this) as ProviderRegistry;
    view.scope = providerId;
    return view;
  }

  all(): ProviderPlugin[] {
    return [...this.byId.values()];
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Throws BAD_USER_INPUT for an id no registered provider has. */
  get(id: string): ProviderPlugin {
    const plugin = this.byId.get(id);
    if (!plugin) throw badInput(`Unknown provider "${id}". Known providers: ${this.ids().join(', ') || 'none'}.`, { field: 'provider' });
    return plugin;
  }

  async init(): Promise<void> {
    await this.core.catalog.syncPermissions(this.all());
    for (const plugin of this.all()) await plugin.init?.();
  }

  async destroy(): Promise<void> {
    for (const plugin of this.all().reverse()) await plugin.destroy?.();
  }

  // ---- principals ------------------------------------------------------------------------------

  async listServiceAccounts(ctx: RequestContext, query: ListQuery) {
    const named = query.provider ?? this.scope;
    const visible: string[] = [];
    let kinds = query.kinds;
    for (const plugin of named ? [this.get(named)] : this.all()) {
      let target: AuthorizationTarget = { kinds: kinds ?? null };
      // Asked for every kind of a provider that tells kinds apart: the kinds the caller may list.
      const known = plugin.catalog?.kinds;
      if (!kinds?.length && known?.length && named) {
        const allowed = [];
        for (const kind of known) if (await this.core.authz.allows(ctx, plugin, Acts.listServiceAccounts, { kinds: [kind] })) allowed.push(kind);
        if (allowed.length) target = { kinds: (kinds = allowed) };
      }
      if (named) await this.authorize(ctx, plugin, 'listServiceAccounts', target);
      else if (!(await this.core.authz.allows(ctx, plugin, Acts.listServiceAccounts, target))) continue;
      visible.push(plugin.id);
    }
    return this.core.principals.list({ ...query, kinds, providers: visible });
  }

  async getServiceAccount(ctx: RequestContext, id: string, expect?: Expect) {
    const { account } = await this.principalFor(ctx, 'getServiceAccount', { id }, expect);
    return account;
  }

  async createServiceAccount(ctx: RequestContext, providerId: string, input: Parameters<NonNullable<ProviderPlugin['createServiceAccount']>>[1]) {
    const plugin = this.get(this.scope ?? providerId);
    if (!plugin.createServiceAccount) throw badInput(`${plugin.displayName} does not create service accounts this way.`, { field: 'provider' });
    await this.authorize(ctx, plugin, 'createServiceAccount', { ownerKind: plugin.kindOf?.(input) ?? null });
    return plugin.createServiceAccount(ctx, input);
  }

  async updateServiceAccount(ctx: RequestContext, id: string, input: Parameters<NonNullable<ProviderPlugin['updateServiceAccount']>>[2], expect?: Expect) {
    const { plugin, account } = await this.principalFor(ctx, 'updateServiceAccount', { id }, expect, true);
    if (!plugin.updateServiceAccount) throw badInput(`${plugin.displayName} accounts cannot be changed; delete and create anew.`);
    return plugin.updateServiceAccount(ctx, account, input);
  }

  async deleteServiceAccount(ctx: RequestContext, id: string, expect?: Expect) {
    const { plugin, account } = await this.principalFor(ctx, 'deleteServiceAccount', { id }, expect, true);
    const revokedTokenIds = plugin.deleteServiceAccount
      ? await plugin.deleteServiceAccount(ctx, account)
      : await this.core.change(ctx, { provider: plugin, action: Acts.deleteServiceAccount, target: account.id }, (scope) => this.core.principals.delete(scope, account));
    return { account, revokedTokenIds };
  }

  async importServiceAccounts(ctx: RequestContext, providerId: string, csv: string, confirm: boolean, options?: Parameters<NonNullable<ProviderPlugin['importServiceAccounts']>>[3]) {
    const plugin = this.get(this.scope ?? providerId);
    if (!plugin.importServiceAccounts) throw badInput(`${plugin.displayName} has no CSV import.`, { field: 'provider' });
    await this.authorize(ctx, plugin, 'importServiceAccounts');
    return plugin.importServiceAccounts(ctx, csv, confirm, options);
  }

  // ---- tokens ----------------------------------------------------------------------------------

  async createRefreshToken(ctx: RequestContext, input: Parameters<ActRegistry['createRefreshToken']>[1]) {
    let acting = ctx;
    if (input.username != null || input.password != null) {
      if (!input.username || !input.password) throw badInput('Give both username and password, or neither.', { field: input.username ? 'password' : 'username' });
      const plugin = this.get(this.scope ?? input.provider ?? this.callerProvider(ctx, 'Say which provider the user belongs to.'));
      if (!plugin.signIn) throw badInput(`${plugin.displayName} has no password sign-in.`, { field: 'username' });
      acting = { ...ctx, actor: await plugin.signIn(ctx, input.username, input.password) };
    }
    const { plugin, account } = input.serviceAccountId
      ? await this.principalFor(acting, 'createRefreshToken', { id: input.serviceAccountId })
      : await this.callerFor(acting, 'createRefreshToken', input.provider);
    if (!plugin.createRefreshToken) throw badInput(`${plugin.displayName} has no refresh tokens.`);
    return plugin.createRefreshToken(acting, account, input);
  }

  async regenerateRefreshToken(ctx: RequestContext, refreshTokenId: string) {
    const { plugin, token, owner } = await this.tokenFor(ctx, 'regenerateRefreshToken', refreshTokenId, { kind: 'refresh', label: 'Refresh token' });
    const old = token.token as RefreshTokenEntity;
    return this.core.change(ctx, { provider: plugin, action: Acts.regenerateRefreshToken, target: old.id }, async (scope) => {
      // The row lock orders racing regenerations: only the first finds the old token active.
      const locked = await this.core.tokens.lockRefreshToken(scope, old.id);
      if (this.core.tokens.status(locked) !== 'ACTIVE') throw badInput('The refresh token is expired or revoked.', { status: this.core.tokens.status(locked) });
      await this.core.tokens.revoke(scope, { type: 'refresh', token: locked });
      return this.core.tokens.issueRefreshToken(scope, plugin, owner, locked.name);
    });
  }

  async createAccessToken(ctx: RequestContext, input: Parameters<ActRegistry['createAccessToken']>[1]) {
    let refreshToken: RefreshTokenEntity | null = null;
    let resolved: { plugin: ProviderPlugin; account: PrincipalEntity };
    if (input.refreshTokenId) {
      const found = await this.tokenFor(ctx, 'createAccessToken', input.refreshTokenId, { kind: 'refresh', label: 'Refresh token' });
      refreshToken = found.token.token as RefreshTokenEntity;
      resolved = { plugin: found.plugin, account: found.owner };
    } else if (input.serviceAccountId) {
      resolved = await this.principalFor(ctx, 'createAccessToken', { id: input.serviceAccountId });
    } else {
      resolved = await this.callerFor(ctx, 'createAccessToken', null);
    }
    const { plugin, account } = resolved;
    if (!plugin.createAccessToken) throw badInput(`${plugin.displayName} does not mint access tokens this way.`);
    return plugin.createAccessToken(ctx, account, input, refreshToken);
  }

  async getToken(ctx: RequestContext, id: string) {
    return (await this.tokenFor(ctx, 'readTokens', id)).token;
  }

  async listTokens(ctx: RequestContext, ownerId: string, filter: Parameters<ActRegistry['listTokens']>[2], expect?: Expect): Promise<TokenList> {
    const { account } = await this.principalFor(ctx, 'readTokens', { id: ownerId }, expect);
    const all = await this.core.tokens.tokensOf(account.id, filter.type, { kind: filter.kind });
    const tokens = filter.status ? all.filter((t) => this.core.tokens.status(t) === filter.status) : all;
    const minted = filter.type === 'refresh' ? await this.core.tokens.mintedFrom(tokens.map((t) => t.id)) : [];
    const newest = new Map(minted.map((a) => [a.refreshTokenId, a]));
    return { owner: account, tokens, newestAccessToken: (id) => newest.get(id) ?? null };
  }

  async revokeToken(ctx: RequestContext, id: string, expect?: TokenExpect) {
    const { plugin, token } = await this.tokenFor(ctx, 'revokeToken', id, expect);
    const revokedIds = await this.core.change(ctx, { provider: plugin, action: Acts.revokeToken, target: id }, (scope) => this.core.tokens.revoke(scope, token));
    return { token: (await this.core.tokens.find(id))!, revokedIds };
  }

  async revokeAccessTokens(ctx: RequestContext, refreshTokenId: string) {
    const { plugin, token } = await this.tokenFor(ctx, 'revokeAccessTokens', refreshTokenId, { kind: 'refresh', label: 'Refresh token' });
    const refreshToken = token.token as RefreshTokenEntity;
    const revokedIds = await this.core.change(ctx, { provider: plugin, action: Acts.revokeAccessTokens, target: refreshToken.id }, (scope) =>
      this.core.tokens.revokeAccessTokensOf(scope, refreshToken),
    );
    return { refreshToken, revokedIds };
  }

  async revokeAllTokens(ctx: RequestContext, principal: PrincipalRef, expect?: Expect) {
    const { plugin, account } = await this.principalFor(ctx, 'revokeAllTokens', principal, expect);
    const revokedIds = await this.core.change(ctx, { provider: plugin, action: Acts.revokeAllTokens, target: account.id }, (scope) => this.core.tokens.revokeAllOf(scope, account.id));
    return { owner: account, revokedIds };
  }

  // ---- catalog ---------------------------------------------------------------------------------

  async listPermissions(ctx: RequestContext, providerId: string) {
    const plugin = this.get(this.scope ?? providerId);
    await this.authorize(ctx, plugin, 'listPermissions');
    return this.core.catalog.permissions(plugin);
  }

  async listPersonas(ctx: RequestContext, args: { first?: number | null; after?: string | null }) {
    const visible: string[] = [];
    for (const plugin of this.scope ? [this.get(this.scope)] : this.all()) if (await this.core.authz.allows(ctx, plugin, Acts.listPersonas)) visible.push(plugin.id);
    return this.core.catalog.personas(visible, args);
  }

  async getPersona(ctx: RequestContext, id: string) {
    const persona = await this.core.catalog.persona(id);
    if (!persona || !this.has(persona.provider) || (this.scope && persona.provider !== this.scope)) throw notFound('Persona');
    await this.authorize(ctx, this.get(persona.provider), 'listPersonas');
    return persona;
  }

  async createPersona(ctx: RequestContext, providerId: string | null | undefined, input: Parameters<ActRegistry['createPersona']>[2]) {
    const keepers = this.all().filter((p) => p.catalog?.personas);
    const id = this.scope ?? providerId ?? (ctx.actor?.kind === 'principal' ? ctx.actor.provider : keepers.length === 1 ? keepers[0].id : null);
    if (!id) throw badInput('Say which provider the persona belongs to.', { field: 'provider' });
    const plugin = this.get(id);
    await this.authorize(ctx, plugin, 'createPersona');
    return this.core.change(ctx, { provider: plugin, action: Acts.createPersona }, (scope) => this.core.catalog.createPersona(scope, plugin, input));
  }

  // ---- OAuth clients and signing ----------------------------------------------------------------

  async createOAuthClient(ctx: RequestContext, input: Parameters<ActRegistry['createOAuthClient']>[1]) {
    const plugin = this.offering(ctx, 'createOAuthClient');
    await this.authorize(ctx, plugin, 'createOAuthClient');
    return plugin.createOAuthClient!(ctx, input);
  }

  async regenerateOAuthClientSecret(ctx: RequestContext, clientId: string, overlapSeconds = 0) {
    if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > MAX_SECRET_OVERLAP_SECONDS)
      throw badInput(`overlapSeconds must be a whole number of seconds from 0 to ${MAX_SECRET_OVERLAP_SECONDS} (24 hours).`, { field: 'overlapSeconds' });
    const { plugin, account } = await this.principalFor(ctx, 'regenerateOAuthClientSecret', { clientId }, { kind: 'oauth_client', label: 'OAuth client' });
    const issued = await this.core.change(ctx, { provider: plugin, action: Acts.regenerateOAuthClientSecret, target: account.id }, async (scope) => {
      const locked = await this.core.principals.lock(scope, account.id, 'OAuth client');
      return this.core.principals.replaceSecret(scope, locked, SECRET_KINDS.clientSecret, overlapSeconds);
    });
    return { client: issued.record, clientSecret: issued.secret! };
  }

  async rotateSigningKey(ctx: RequestContext) {
    const plugin = this.declaring(ctx, Acts.rotateSigningKey);
    await this.authorize(ctx, plugin, 'rotateSigningKey');
    const kid = await this.core.change(ctx, { provider: plugin, action: Acts.rotateSigningKey }, async (scope) => {
      const rotated = await this.core.signing.rotate(scope.tx);
      scope.setTarget(rotated);
      return rotated;
    });
    return { kid, publishedKids: await this.core.signing.publishedKids() };
  }

  async mayRead(ctx: RequestContext, account: Pick<PrincipalEntity, 'id' | 'provider' | 'kind'>, what: 'getServiceAccount' | 'readTokens') {
    if (!this.has(account.provider)) return false;
    return this.core.authz.allows(ctx, this.get(account.provider), Acts[what], { ownerId: account.id, ownerKind: account.kind });
  }

  // ---- resolution --------------------------------------------------------------------------------

  private authorize(ctx: RequestContext, plugin: ProviderPlugin, act: ActName, target?: AuthorizationTarget) {
    return this.core.authz.require(ctx, plugin, Acts[act], target);
  }

  /**
   * The principal an act is about, authorized. A target that does not exist (or is not what the
   * face expects) is NOT_FOUND only for a caller who could act on such a target at all: others
   * get FORBIDDEN and learn nothing about which ids exist.
   */
  private async principalFor(ctx: RequestContext, act: ActName, ref: PrincipalRef, expect?: Expect, forMutation = false) {
    const account = 'id' in ref ? await this.core.principals.find(ref.id) : await this.core.principals.findByClientId(ref.clientId);
    const kinds = kindsOf(expect);
    const fits = account && this.has(account.provider) && (!this.scope || account.provider === this.scope) && (!kinds || kinds.includes(account.kind));
    if (!fits) {
      if (forMutation && !account && 'id' in ref) {
        const byClientId = await this.core.principals.findByClientId(ref.id);
        if (byClientId && this.has(byClientId.provider))
          throw badInput(`"${ref.id}" is a client ID; this takes the account's id (a GUID), here ${byClientId.id}.`, { field: 'id' });
      }
      return this.missing(ctx, act, expect?.label ?? 'Service account', kinds?.[0]);
    }
    const plugin = this.get(account.provider);
    await this.authorize(ctx, plugin, act, { ownerId: account.id, ownerKind: account.kind });
    return { plugin, account };
  }

  /** A token an act is about with its owner, authorized (missing: as for principals). */
  private async tokenFor(ctx: RequestContext, act: ActName, id: string, expect?: TokenExpect) {
    const found = await this.core.tokens.find(id);
    const typeWanted = expect?.kind === 'refresh' ? 'refresh' : null;
    const token = found && this.has(found.token.provider) && (!this.scope || found.token.provider === this.scope) ? found : null;
    const kindOk =
      token && (typeWanted ? token.type === 'refresh' : !expect?.kind || (token.type === 'access' && token.token.kind === expect.kind));
    const ownerOk = token && (!expect?.ownerId || token.token.ownerId === expect.ownerId);
    const statusOk = token && (!expect?.status || this.core.tokens.status(token.token) === expect.status);
    const owner = token ? await this.core.principals.find(token.token.ownerId) : null;
    if (!token || !kindOk || !ownerOk || !statusOk || !owner) return this.missing(ctx, act, expect?.label ?? 'Token', undefined, expect?.ownerId);
    const plugin = this.get(token.token.provider);
    await this.authorize(ctx, plugin, act, { ownerId: owner.id, ownerKind: owner.kind });
    return { plugin, token: token as AnyToken, owner };
  }

  private async missing(ctx: RequestContext, act: ActName, label: string, ownerKind?: string, ownerId?: string): Promise<never> {
    if (this.scope) await this.authorize(ctx, this.get(this.scope), act, { ownerId: ownerId ?? null, ownerKind: ownerKind ?? null });
    throw notFound(label);
  }

  /** The caller's own principal, for acts that default to it (a token for oneself). */
  private async callerFor(ctx: RequestContext, act: ActName, providerId: string | null | undefined) {
    const actor = ctx.actor;
    const wanted = this.scope ?? providerId ?? null;
    if (!actor || actor.kind !== 'principal' || (wanted && actor.provider !== wanted))
      throw badInput('Say which service account this is for (serviceAccountId).', { field: 'serviceAccountId' });
    return this.principalFor(ctx, act, { id: actor.principalId });
  }

  private callerProvider(ctx: RequestContext, message: string): string {
    if (ctx.actor?.kind === 'principal' && this.has(ctx.actor.provider)) return ctx.actor.provider;
    throw badInput(message, { field: 'provider' });
  }

  /** The provider that offers an act only some providers have: the caller's, else the one that does. */
  private offering(ctx: RequestContext, act: 'createOAuthClient'): ProviderPlugin {
    const candidates = this.all().filter((p) => typeof p[act] === 'function' && (!this.scope || p.id === this.scope));
    const own = ctx.actor?.kind === 'principal' ? candidates.find((p) => p.id === ctx.actor!.provider) : undefined;
    const plugin = own ?? (ctx.actor?.kind === 'principal' ? this.byId.get(ctx.actor.provider) : candidates[0]);
    if (!plugin || typeof plugin[act] !== 'function') throw badInput('No registered provider offers OAuth clients.');
    return plugin;
  }

  /** For acts with no object (rotating the key): the caller's provider, else the first whose policy names the act. */
  private declaring(ctx: RequestContext, action: string): ProviderPlugin {
    if (ctx.actor?.kind === 'principal' && this.has(ctx.actor.provider)) return this.get(ctx.actor.provider);
    const plugin = this.all().find((p) => p.policy[action]);
    if (!plugin) throw badInput('No registered provider offers this.');
    return plugin;
  }
}
