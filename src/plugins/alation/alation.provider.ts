import {
  badInput,
  CoreActions,
  dummyPasswordHash,
  GatewayError,
  notFound,
  verifyPassword,
  type Actor,
  type CoreServices,
  type Issued,
  type RequestContext,
} from '../../core';
import { In, type EntityManager } from 'typeorm';
import { AccessTokenEntity, type RefreshTokenEntity, type PrincipalEntity } from '../../entities';
import { defineProvider, type AccessTokenInput, type ImportResult, type ProviderManifest, type ProviderPlugin, type RefreshTokenInput } from '../provider';
import { AlationActions, alationPolicy, ALATION_LIFESPANS, ALATION_MESSAGES, ALATION_ROLES } from './alation.policy';
import { accountOf, importAlationUsers, type ImportOptions } from './import';
import { OAUTH_AUDIENCE, OAUTH_CLIENT_KIND, OAUTH_ISSUER, OAUTH_TOKEN_TYPE } from './oauth/oauth.constants';
import { oauthRoutes } from './oauth/oauth.routes';
import { AlationOAuth } from './oauth/oauth.service';
import { alationRoutes } from './alation.routes';
import { validateUserFields } from './user-fields';


export interface RefreshTokenRow {
  token: RefreshTokenEntity;
  /** The newest access token minted from it, or null when none was (the seed's empty column). */
  accessToken: AccessTokenEntity | null;
}

/** The Alation plugin: the contract's hooks plus what its REST face needs beyond them. */
export interface AlationProvider extends ProviderPlugin {
  createRefreshToken(ctx: RequestContext, input: RefreshTokenInput): Promise<Issued<RefreshTokenEntity>>;
  createAccessToken(ctx: RequestContext, input: AccessTokenInput): Promise<Issued<AccessTokenEntity>>;
  importServiceAccounts(ctx: RequestContext, csv: string, confirm: boolean, options?: ImportOptions): Promise<ImportResult>;
  /** The user a `user_id` names, or null. */
  findUser(userId: unknown): Promise<PrincipalEntity | null>;
  /** A refresh token by its secret and its owner's `user_id`: one 401 for anything that does not match. */
  authenticateRefreshToken(secret: string, userId: number): Promise<{ token: RefreshTokenEntity; owner: PrincipalEntity }>;
  /** An access token by its secret and its owner's `user_id`. */
  authenticateAccessToken(secret: string, userId: number): Promise<{ token: AccessTokenEntity; owner: PrincipalEntity }>;
  /** The Actor of a user who proved who they are with a refresh token. */
  actorOf(owner: PrincipalEntity, token: RefreshTokenEntity): Promise<Actor>;
  /** `regenRefreshToken`: a new refresh token with the same name; the old one (and its access tokens) revoked, in one transaction. */
  regenerateRefreshToken(ctx: RequestContext, refreshTokenId: string): Promise<Issued<RefreshTokenEntity>>;
  /** `revokeAPIAccessTokens`: every active access token of one refresh token. */
  revokeAccessTokensOf(ctx: RequestContext, refreshToken: RefreshTokenEntity): Promise<string[]>;
  /** Offboarding: every token a user holds, at once. */
  revokeAllTokens(ctx: RequestContext, accountId: string): Promise<string[]>;
  /** The seed's Access Tokens table: a user's refresh tokens with their access token's status. */
  listRefreshTokens(ctx: RequestContext, accountId: string): Promise<RefreshTokenRow[]>;
}

export const alationManifest: ProviderManifest = { id: 'alation', displayName: 'Alation', lifespans: ALATION_LIFESPANS, signsTokens: true };

/** The Alation provider (registered in `defaultProviders`). */
export const createAlationProvider = defineProvider(alationManifest, (core: CoreServices): AlationProvider => {
  let oauthService: AlationOAuth | undefined;
  const oauth = () => (oauthService ??= new AlationOAuth(core, plugin));
  const isOwn = (ctx: RequestContext, ownerId: string) => ctx.actor?.kind === 'principal' && ctx.actor.principalId === ownerId;

  async function userById(id: string, manager?: EntityManager): Promise<PrincipalEntity> {
    const account = await core.principals.find(id, manager);
    if (!account || account.provider !== plugin.id) throw notFound('Alation user');
    return account;
  }

  /** Username and password, checked in constant work whether or not the user exists. */
  async function authenticatePassword(ctx: RequestContext, username: string, password: string): Promise<PrincipalEntity> {
    // Guessing costs a minute per few tries, per address and per user name.
    const limits = [ctx.origin.slice(ctx.origin.indexOf(' ') + 1), `alation-user:${username}`];
    for (const key of limits) core.authFailures.check(key);
    const found = await core.principals.findByName(plugin.id, username);
    // An OAuth client's system user has no password and signs in with its client secret only.
    const account = found && found.kind !== OAUTH_CLIENT_KIND ? found : null;
    const ok = await verifyPassword(password, account?.passwordHash ?? (await dummyPasswordHash()));
    if (account && !account.passwordHash) {
      throw new GatewayError(
        'FORBIDDEN',
        `User "${account.name}" signs in with SSO and has no password, so refresh tokens cannot be created with a password. ` +
          'Create the refresh token while signed in (GraphQL createRefreshToken without username and password, as that user).',
        { reason: 'SSO_USER' },
      );
    }
    if (!account || !ok) {
      for (const key of limits) core.authFailures.fail(key);
      await core.audit.record({ actor: null, action: 'alation.passwordLogin', provider: plugin.id, target: account?.id ?? null, outcome: 'failed', origin: ctx.origin });
      throw new GatewayError('UNAUTHENTICATED', ALATION_MESSAGES.loginInvalid);
    }
    return account;
  }

  const plugin: AlationProvider = {
    ...alationManifest,
    catalog: { roles: ALATION_ROLES },
    policy: alationPolicy,

    init() {
      // The access tokens OAuth clients get authenticate GraphQL and REST calls with the client's
      // role; the jti row makes revocation and client deletion take effect at once.
      core.credentials.acceptSignedTokens({ issuer: OAUTH_ISSUER, type: OAUTH_TOKEN_TYPE, audience: OAUTH_AUDIENCE });
    },

    createOAuthClient: (ctx, input) => oauth().createClient(ctx, input),
    rotateSigningKey: (ctx) => oauth().rotateSigningKey(ctx),
    regenerateOAuthClientSecret: (ctx, clientId) => oauth().regenerateSecret(ctx, clientId),
    revokeOAuthClientTokens: (ctx, clientId) => oauth().revokeClientTokens(ctx, clientId),

    async createServiceAccount(ctx, input) {
      await core.guard.require(ctx, plugin, CoreActions.createServiceAccount);
      const { fields, problems } = validateUserFields({ ...input });
      if (!fields) throw badInput(problems.map((p) => p.message).join(' '), { field: problems[0].field, problems });
      const [issued] = await core.principals.create(ctx, plugin, [{ ...accountOf(fields), password: fields.password }]);
      return issued;
    },

    async createRefreshToken(ctx, input) {
      const name = input.name?.trim();
      if (!name || name.length > 255) throw badInput('A refresh token needs a name of 1 to 255 characters (any name, e.g. the integration it serves).', { field: 'name' });
      if (input.username != null || input.password != null) {
        if (!input.username || !input.password) throw badInput('Give both username and password, or neither.', { field: input.username ? 'password' : 'username' });
        const owner = await authenticatePassword(ctx, input.username, input.password);
        const actor = await core.credentials.principalActor(owner, { id: 'password', expiresAt: null });
        return core.tokens.issueRefreshToken({ actor, origin: ctx.origin }, plugin, owner, name);
      }
      const ownerId = input.serviceAccountId ?? (ctx.actor?.provider === plugin.id ? ctx.actor.principalId : null);
      if (!ownerId) throw badInput('Say whose refresh token this is: serviceAccountId, or username and password.', { field: 'serviceAccountId' });
      return core.tokens.issueRefreshToken(ctx, plugin, await userById(ownerId), name);
    },

    async createAccessToken(ctx, input) {
      if (!input.refreshTokenId) throw badInput('Alation API access tokens are minted from a refresh token: give refreshTokenId.', { field: 'refreshTokenId' });
      const found = await core.tokens.find(input.refreshTokenId);
      if (!found || found.type !== 'refresh' || found.token.provider !== plugin.id) throw notFound('Refresh token');
      const parent = found.token;
      const issued = await core.tokens.issueAccessToken(ctx, plugin, await userById(parent.ownerId), {
        kind: 'access',
        refreshTokenId: parent.id,
        // The seed: "the name of the Access token is prepopulated with the corresponding refresh token name".
        name: parent.name,
        replaceExisting: input.regenerate ?? false,
      });
      core.tokens.touch('refresh_token', parent.id, parent.lastUsedAt);
      return issued;
    },

    importServiceAccounts(ctx, csv, confirm, options) {
      return importAlationUsers(core, plugin, ctx, csv, confirm, options);
    },

    async findUser(userId) {
      if (typeof userId !== 'number' && typeof userId !== 'string') return null;
      const account = await core.principals.findByNumber(plugin.id, userId);
      return account && account.kind === 'user' ? account : null;
    },

    async authenticateRefreshToken(secret, userId) {
      const token = await core.tokens.findRefreshTokenBySecret(secret);
      const owner = token && token.provider === plugin.id ? await core.principals.find(token.ownerId) : null;
      if (!token || !owner || Number(owner.number) !== userId) throw new GatewayError('UNAUTHENTICATED', ALATION_MESSAGES.refreshInvalid);
      return { token, owner };
    },

    async authenticateAccessToken(secret, userId) {
      const token = await core.tokens.findAccessTokenBySecret(secret);
      const owner = token && token.provider === plugin.id && token.kind === 'access' ? await core.principals.find(token.ownerId) : null;
      if (!token || !owner || Number(owner.number) !== userId) throw new GatewayError('UNAUTHENTICATED', ALATION_MESSAGES.accessInvalid);
      return { token, owner };
    },

    actorOf(owner, token) {
      return core.credentials.principalActor(owner, { id: token.id, expiresAt: token.expiresAt });
    },

    async regenerateRefreshToken(ctx, refreshTokenId) {
      return core.db.transaction(async (tx) => {
        // The row lock orders racing regenerations: only the first finds the old token active.
        const [row] = await tx.manager.query('SELECT id FROM refresh_token WHERE id = $1 FOR UPDATE', [refreshTokenId]);
        const found = row ? await core.tokens.find(refreshTokenId, tx.manager) : null;
        if (!found || found.type !== 'refresh' || found.token.provider !== plugin.id) throw notFound('Refresh token');
        const old = found.token;
        const owner = await userById(old.ownerId, tx.manager);
        await core.guard.require(ctx, plugin, AlationActions.regenRefreshToken, { ownerId: owner.id });
        if (core.tokens.status(old) !== 'ACTIVE') throw new GatewayError('UNAUTHENTICATED', ALATION_MESSAGES.refreshExpired);
        await core.tokens.revoke(ctx, plugin, old.id, { tx, action: AlationActions.regenRefreshToken });
        return core.tokens.issueRefreshToken(ctx, plugin, owner, old.name, { tx, action: AlationActions.regenRefreshToken });
      });
    },

    revokeAccessTokensOf(ctx, refreshToken) {
      const action = isOwn(ctx, refreshToken.ownerId) ? CoreActions.revokeToken : AlationActions.revokeOthersTokens;
      return core.tokens.revokeAccessTokensOf(ctx, plugin, refreshToken, action);
    },

    async revokeAllTokens(ctx, accountId) {
      const account = await userById(accountId);
      const action = isOwn(ctx, account.id) ? CoreActions.revokeToken : AlationActions.revokeOthersTokens;
      return core.tokens.revokeAllOf(ctx, plugin, account.id, action);
    },

    async listRefreshTokens(ctx, accountId) {
      const account = await userById(accountId);
      const action = isOwn(ctx, account.id) ? CoreActions.readToken : AlationActions.listOthersTokens;
      await core.guard.require(ctx, plugin, action, { ownerId: account.id });
      const tokens = await core.tokens.listRefreshTokens(account.id);
      const minted = tokens.length
        ? await core.db.manager.find(AccessTokenEntity, { where: { refreshTokenId: In(tokens.map((t) => t.id)) }, order: { createdAt: 'ASC' } })
        : [];
      const newest = new Map(minted.map((a) => [a.refreshTokenId, a]));
      return tokens.map((token) => ({ token, accessToken: newest.get(token.id) ?? null }));
    },

    routes(router, kit) {
      alationRoutes(router, kit, plugin);
      oauthRoutes(router, kit, oauth());
    },
  };
  return plugin;
});
