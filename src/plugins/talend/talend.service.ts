import {
  Acts,
  badInput,
  conflict,
  forbidden,
  SECRET_KINDS,
  unauthenticated,
  type Actor,
  type BasicCredentials,
  type CoreServices,
  type Issued,
  type ProviderDescriptor,
  type RequestContext,
} from '../../core';
import type { AccessTokenEntity, PrincipalEntity } from '../../entities';
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
  TOKEN_ISSUER_PATHS,
  TOKEN_TYPE,
  type TalendKindValue,
} from './talend.policy';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** The fields of CreateServiceAccountInput that belong to other vendors. */
const FOREIGN_FIELDS = ['displayName', 'email', 'title', 'role', 'password', 'description', 'personaQualifiedNames', 'validitySeconds'] as const;

const KNOWN_PERMISSIONS = new Set(TALEND_PERMISSIONS.map((p) => p.id));

/**
 * Talend's rules, behind the acts both faces call (the registry has authorized each act before
 * any method here runs). Core does storage, secrets, signing, events and audit.
 */
export class TalendService {
  constructor(
    private readonly core: CoreServices,
    private readonly provider: ProviderDescriptor,
  ) {}

  /** `user` makes a user, `name` a service account. */
  kindOf(input: ServiceAccountInput): TalendKindValue {
    return input.user != null ? TalendKind.user : TalendKind.serviceAccount;
  }

  /** `createServiceAccount`: a service account (with its id:secret) or a user, with permissions the caller holds. */
  async createAccount(ctx: RequestContext, input: ServiceAccountInput): Promise<Issued<PrincipalEntity>> {
    const foreign = FOREIGN_FIELDS.filter((field) => input[field] !== undefined && input[field] !== null);
    if (foreign.length) throw badInput(`Talend accounts have no ${foreign.join(', ')}: send name and permissions (or user and permissions).`, { field: foreign[0] });
    if (input.user != null && input.name != null) throw badInput('Send either name (a service account) or user (a user), not both.', { field: 'user' });
    const kind = this.kindOf(input);
    const name = this.validName(kind === TalendKind.user ? input.user : input.name, kind === TalendKind.user ? 'user' : 'name', true)!;
    const permissions = this.validPermissions(input.permissions ?? []);
    this.assertGrantable(ctx.actor, permissions);
    const [issued] = await this.core.change(ctx, { provider: this.provider, action: Acts.createServiceAccount }, (scope) =>
      this.core.principals.create(scope, this.provider, [
        // Talend's `id` is the row's own id: one id for GraphQL, REST, Basic auth and the token's `sub`.
        { kind, name, permissions, secretKind: kind === TalendKind.serviceAccount ? SECRET_KINDS.serviceAccountSecret : undefined, clientIdIsId: kind === TalendKind.serviceAccount },
      ]),
    );
    return issued;
  }

  /**
   * `updateServiceAccount`: name and/or permissions; an absent field stays as it is. Only
   * permissions the account does not have yet count as granted.
   */
  async updateAccount(ctx: RequestContext, account: PrincipalEntity, input: { name?: unknown; permissions?: unknown }): Promise<PrincipalEntity> {
    const name = input.name === undefined || input.name === null ? undefined : this.validName(input.name, 'name', true)!;
    const permissions = input.permissions === undefined || input.permissions === null ? undefined : this.validPermissions(input.permissions);
    return this.core.change(ctx, { provider: this.provider, action: Acts.updateServiceAccount, target: account.id }, async (scope) => {
      const locked = await this.core.principals.lock(scope, account.id);
      if (permissions) {
        const current = await this.core.principals.permissionCodes(locked.id, scope.tx.manager);
        this.assertGrantable(ctx.actor, permissions.filter((p) => !current.includes(p)));
        await this.core.principals.setPermissions(scope, this.provider, locked.id, permissions);
      }
      return this.core.principals.update(scope, locked, { name });
    });
  }

  /** The permission ids an account holds now. */
  permissionsOf(id: string): Promise<string[]> {
    return this.core.principals.permissionCodes(id);
  }

  /** Permission ids per account, for lists. */
  async permissionsOfMany(ids: readonly string[]): Promise<Map<string, string[]>> {
    const map = await this.core.catalog.permissionsOf(ids);
    return new Map([...map].map(([id, list]) => [id, list.map((p) => p.code)]));
  }

  /**
   * `POST /security/oauth/token`: HTTP Basic `id:secret` for a 30-minute signed token carrying the
   * account's permissions as they are now. Every failure is the same 401 (see core credentials).
   */
  async exchange(ctx: RequestContext, credentials: BasicCredentials | null, body: Record<string, unknown>): Promise<TokenResponse> {
    const grantType = body.grant_type;
    if (grantType !== 'client_credentials')
      throw badInput(`Unsupported grant_type${typeof grantType === 'string' ? ` "${grantType.slice(0, 64)}"` : ''}: the supported grant type is "client_credentials".`, {
        field: 'grant_type',
        error: 'unsupported_grant_type',
      });
    const audience = body.audience ?? DEFAULT_AUDIENCE;
    if (typeof audience !== 'string' || audience.length === 0 || audience.length > 255)
      throw badInput('audience must be a string of 1 to 255 characters.', { field: 'audience', error: 'invalid_request' });
    const account = await this.authenticate(ctx, credentials);
    const acting = await this.accountContext(ctx, account);
    const { actor } = acting;
    await this.core.authz.require(acting, this.provider, TalendActions.exchangeToken, { ownerId: account.id, ownerKind: account.kind });
    const lifespanSeconds = this.core.tokens.lifespan(this.provider, TalendLifespan.serviceAccountToken) || SERVICE_ACCOUNT_TOKEN_SECONDS;
    const signed = await this.core.tokens.sign(account, {
      kind: TalendTokenKind.exchanged,
      issuer: this.issuer(),
      audience,
      type: TOKEN_TYPE,
      lifespanSeconds,
      claims: { permissions: [...actor.permissions].sort() },
    });
    await this.core.change.append(acting, { provider: this.provider, action: TalendActions.exchangeToken }, this.core.tokens.signedAdditions(this.provider, account, signed));
    return { access_token: signed.token, token_type: 'Bearer', expires_in: lifespanSeconds };
  }

  /** A service account by its id and secret (HTTP Basic or the body); every failure is one 401 (core counts and audits it). */
  authenticate(ctx: RequestContext, credentials: BasicCredentials | null): Promise<PrincipalEntity> {
    return this.core.credentials.authenticateClient(ctx, { provider: this.provider.id, kind: TalendKind.serviceAccount, action: TalendActions.exchangeToken }, credentials, this.core.authFailures);
  }

  /** The context of a service account acting with its id and secret (the exchange, RFC 7009 revocation). */
  async accountContext(ctx: RequestContext, account: PrincipalEntity): Promise<RequestContext & { actor: Actor }> {
    return { ...ctx, actor: await this.core.credentials.principalActor(account, { id: `basic:${account.id}`, expiresAt: null }) };
  }

  /** The `iss` of exchanged tokens: a URL under the public URL. */
  issuer(): string {
    return this.core.issuers.url(TOKEN_ISSUER_PATHS.issuer);
  }

  /** RFC 7662 for an exchanged token: its claims while active, `{active: false}` for anything else (another issuer's too). */
  introspect(token: string) {
    return this.core.tokens.introspectSigned(token, this.exchangedTokens());
  }

  /** The id of an active exchanged token of this account's, or null (RFC 7009: anything else changes nothing). */
  ownActiveToken(account: PrincipalEntity, token: string): Promise<string | null> {
    return this.core.tokens.ownActiveSigned(account, token, this.exchangedTokens());
  }

  private exchangedTokens() {
    return { verify: { issuer: this.issuer(), type: TOKEN_TYPE }, provider: this.provider.id, kind: TalendTokenKind.exchanged, ownerKind: TalendKind.serviceAccount };
  }

  /**
   * `createAccessToken`: a user's personal access token. It carries no permissions of its own:
   * every request loads the user's current ones. At most five active per user, counted under a
   * lock on the user's row so racing requests cannot make a sixth.
   */
  async createPersonalToken(ctx: RequestContext, owner: PrincipalEntity, input: AccessTokenInput): Promise<Issued<AccessTokenEntity>> {
    if (input.regenerate) throw badInput('Talend personal access tokens are not regenerated: delete one and create another.', { field: 'regenerate' });
    const name = this.validName(input.name, 'name', false);
    if (owner.kind !== TalendKind.user)
      throw badInput('Personal access tokens belong to Talend users; a service account exchanges its id and secret at POST /security/oauth/token.', { field: 'serviceAccountId' });
    return this.core.change(ctx, { provider: this.provider, action: Acts.createAccessToken }, async (scope) => {
      const user = await this.core.principals.lock(scope, owner.id, 'User');
      if ((await this.core.principals.countActiveTokens(scope, user.id, TalendTokenKind.personal)) >= MAX_ACTIVE_PERSONAL_TOKENS)
        throw conflict(`A user may hold at most ${MAX_ACTIVE_PERSONAL_TOKENS} active personal access tokens; delete one before creating another.`);
      return this.core.tokens.issueAccessToken(scope, this.provider, user, {
        kind: TalendTokenKind.personal,
        lifespanKey: TalendLifespan.personal,
        secretKind: SECRET_KINDS.personalAccessToken,
        name,
      });
    });
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
