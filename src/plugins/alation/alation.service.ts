import {
  Acts,
  badInput,
  dummyPasswordHash,
  GatewayError,
  verifyPassword,
  type Actor,
  type CoreServices,
  type Issued,
  type ProviderDescriptor,
  type RequestContext,
} from '../../core';
import type { AccessTokenEntity, PrincipalEntity, RefreshTokenEntity } from '../../entities';
import type { AccessTokenInput, ImportOptions, ImportResult, RefreshTokenInput, ServiceAccountInput } from '../provider';
import { AlationActions, ALATION_MESSAGES } from './alation.policy';
import { accountOf, importAlationUsers } from './import';
import { OAUTH_CLIENT_KIND } from './oauth/oauth.constants';
import { validateUserFields } from './user-fields';

/** Alation's rules, behind the acts both faces call (the registry has authorized each one first). */
export class AlationService {
  constructor(
    private readonly core: CoreServices,
    private readonly provider: ProviderDescriptor,
  ) {}

  async createUser(ctx: RequestContext, input: ServiceAccountInput): Promise<Issued<PrincipalEntity>> {
    const { fields, problems } = validateUserFields({ ...input });
    if (!fields) throw badInput(problems.map((p) => p.message).join(' '), { field: problems[0].field, problems });
    const [issued] = await this.core.change(ctx, { provider: this.provider, action: Acts.createServiceAccount }, (scope) =>
      this.core.principals.create(scope, this.provider, [{ ...accountOf(fields), password: fields.password }]),
    );
    return issued;
  }

  importUsers(ctx: RequestContext, csv: string, confirm: boolean, options?: ImportOptions): Promise<ImportResult> {
    return importAlationUsers(this.core, this.provider, ctx, csv, confirm, options);
  }

  /** Username and password, checked in constant work whether or not the user exists; guessing is limited per address and per user name. */
  signIn(ctx: RequestContext, username: string, password: string): Promise<Actor> {
    return this.core.authFailures.attempt({ address: ctx.address ?? 'unknown', target: `alation-user:${username}`, lockTarget: true }, async () => {
      const found = await this.core.principals.findByName(this.provider.id, username);
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
        await this.core.audit.recordFailed(ctx, AlationActions.passwordLogin, this.provider.id, account?.id ?? null);
        throw new GatewayError('UNAUTHENTICATED', ALATION_MESSAGES.loginInvalid);
      }
      return this.core.credentials.principalActor(account, { id: 'password', expiresAt: null });
    });
  }

  async createRefreshToken(ctx: RequestContext, owner: PrincipalEntity, input: RefreshTokenInput): Promise<Issued<RefreshTokenEntity>> {
    const name = input.name?.trim();
    if (!name || name.length > 255) throw badInput('A refresh token needs a name of 1 to 255 characters (any name, e.g. the integration it serves).', { field: 'name' });
    return this.core.change(ctx, { provider: this.provider, action: Acts.createRefreshToken }, (scope) => this.core.tokens.issueRefreshToken(scope, this.provider, owner, name));
  }

  async createAccessToken(ctx: RequestContext, owner: PrincipalEntity, input: AccessTokenInput, parent: RefreshTokenEntity | null): Promise<Issued<AccessTokenEntity>> {
    if (!parent) throw badInput('Alation API access tokens are minted from a refresh token: give refreshTokenId.', { field: 'refreshTokenId' });
    const issued = await this.core.change(ctx, { provider: this.provider, action: Acts.createAccessToken }, (scope) =>
      this.core.tokens.issueAccessToken(scope, this.provider, owner, {
        kind: 'access',
        refreshTokenId: parent.id,
        // The seed: "the name of the Access token is prepopulated with the corresponding refresh token name".
        name: parent.name,
        replaceExisting: input.regenerate ?? false,
      }),
    );
    this.core.tokens.touch('refresh_token', parent.id, parent.lastUsedAt);
    return issued;
  }

  /** The user a `user_id` names, or null. */
  async findUser(userId: unknown): Promise<PrincipalEntity | null> {
    if (typeof userId !== 'number' && typeof userId !== 'string') return null;
    const account = await this.core.principals.findByNumber(this.provider.id, userId);
    return account && account.kind === 'user' ? account : null;
  }

  async find(id: string): Promise<PrincipalEntity | null> {
    return this.core.principals.find(id);
  }

  /**
   * A refresh token by its secret and its owner's `user_id` (the vendor's body credentials), with
   * the Actor of its owner: one 401 for anything that does not match, counted by the failure limiter.
   */
  authenticateRefreshToken(ctx: RequestContext, secret: string, userId: number): Promise<{ token: RefreshTokenEntity; owner: PrincipalEntity; ctx: RequestContext }> {
    return this.core.authFailures.attempt({ address: ctx.address ?? 'unknown', target: `alation-user-id:${userId}` }, async () => {
      const token = await this.core.tokens.findRefreshTokenBySecret(secret);
      const owner = token && token.provider === this.provider.id ? await this.core.principals.find(token.ownerId) : null;
      if (!token || !owner || Number(owner.number) !== userId) throw new GatewayError('UNAUTHENTICATED', ALATION_MESSAGES.refreshInvalid);
      const actor = await this.core.credentials.principalActor(owner, { id: token.id, expiresAt: token.expiresAt });
      return { token, owner, ctx: { ...ctx, actor } };
    });
  }

  /** An access token by its secret and its owner's `user_id`. */
  authenticateAccessToken(ctx: RequestContext, secret: string, userId: number): Promise<{ token: AccessTokenEntity; owner: PrincipalEntity }> {
    return this.core.authFailures.attempt({ address: ctx.address ?? 'unknown', target: `alation-user-id:${userId}` }, async () => {
      const found = await this.core.tokens.findAccessTokenBySecretWithOwner(secret);
      const token = found?.token;
      const owner = token && token.provider === this.provider.id && token.kind === 'access' ? found.owner : null;
      if (!token || !owner || Number(owner.number) !== userId) throw new GatewayError('UNAUTHENTICATED', ALATION_MESSAGES.accessInvalid);
      return { token, owner };
    });
  }

  status(token: { expiresAt: Date | null; revokedAt: Date | null }) {
    return this.core.tokens.status(token);
  }
}
