import { randomUUID } from 'node:crypto';
import { Acts, badInput, SECRET_KINDS, type BasicCredentials, type CoreServices, type ProviderDescriptor, type RequestContext } from '../../../core';
import type { PrincipalEntity } from '../../../entities';
import type { IssuedOAuthClient, OAuthClientInput } from '../../provider';
import { AlationActions } from '../alation.policy';
import {
  MAX_TOKEN_LIFETIME_SECONDS,
  MIN_TOKEN_LIFETIME_SECONDS,
  OAUTH_AUDIENCE,
  OAUTH_CLIENT_KIND,
  OAUTH_ISSUER_PATH,
  OAUTH_TOKEN_KIND,
  OAUTH_TOKEN_TYPE,
} from './oauth.constants';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}


/**
 * Alation's OAuth 2.0 client applications: a client is an Alation system user (a principal of
 * kind `oauth_client` with a role) whose id:secret buys short-lived ES256 access tokens signed by
 * core. Regenerating a secret, revoking a client's tokens and rotating the key are core's defaults.
 */
export class AlationOAuth {
  constructor(
    private readonly core: CoreServices,
    private readonly provider: ProviderDescriptor,
  ) {}

  /** `createOAuthClient`: the client, its system user with the role, and its secret shown once. */
  async createClient(ctx: RequestContext, input: OAuthClientInput): Promise<IssuedOAuthClient> {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name || name.length > 255) throw badInput('An OAuth client needs a name of 1 to 255 characters.', { field: 'name' });
    const lifetime = input.accessTokenLifetimeSeconds;
    if (!Number.isInteger(lifetime) || lifetime < MIN_TOKEN_LIFETIME_SECONDS || lifetime > MAX_TOKEN_LIFETIME_SECONDS)
      throw badInput(
        `accessTokenLifetimeSeconds must be a whole number of seconds from ${MIN_TOKEN_LIFETIME_SECONDS} (5 minutes) to ${MAX_TOKEN_LIFETIME_SECONDS} (72 hours).`,
        { field: 'accessTokenLifetimeSeconds' },
      );
    if (typeof input.role !== 'string' || input.role === '') throw badInput('An OAuth client needs the role of its system user.', { field: 'role' });
    const [issued] = await this.core.change(ctx, { provider: this.provider, action: Acts.createOAuthClient }, (scope) =>
      this.core.principals.create(scope, this.provider, [
        { kind: OAUTH_CLIENT_KIND, name, role: input.role, clientId: randomUUID(), secretKind: SECRET_KINDS.clientSecret, attributes: { accessTokenLifetimeSeconds: lifetime } },
      ]),
    );
    return { client: issued.record, clientSecret: issued.secret! };
  }

  /** The client whose id and secret these are; every failure is one `invalid_client` (core counts and audits it). */
  authenticateClient(ctx: RequestContext, credentials: BasicCredentials | null): Promise<PrincipalEntity> {
    return this.core.credentials.authenticateClient(ctx, { provider: this.provider.id, kind: OAUTH_CLIENT_KIND, action: AlationActions.oauthClientAuthentication }, credentials, this.core.authFailures);
  }

  /** `grant_type=client_credentials`: a signed access token for the client's system user, with the client's lifetime. */
  async issueToken(ctx: RequestContext, client: PrincipalEntity): Promise<TokenResponse> {
    const acting = { ...ctx, actor: await this.core.credentials.principalActor(client, { id: `client:${client.id}`, expiresAt: null }) };
    await this.core.authz.require(acting, this.provider, AlationActions.oauthToken, { ownerId: client.id, ownerKind: client.kind });
    const lifespanSeconds = lifetimeOf(client);
    const signed = await this.core.tokens.sign(client, { kind: OAUTH_TOKEN_KIND, issuer: this.issuer(), audience: OAUTH_AUDIENCE, type: OAUTH_TOKEN_TYPE, lifespanSeconds });
    await this.core.change.append(acting, { provider: this.provider, action: AlationActions.oauthToken }, this.core.tokens.signedAdditions(this.provider, client, signed));
    return { access_token: signed.token, token_type: 'Bearer', expires_in: lifespanSeconds };
  }

  /** The context of an authenticated client acting on its own tokens (RFC 7009 revocation). */
  async clientContext(ctx: RequestContext, client: PrincipalEntity): Promise<RequestContext> {
    return { ...ctx, actor: await this.core.credentials.principalActor(client, { id: `client:${client.id}`, expiresAt: null }) };
  }

  /** The `iss` of these tokens: a URL under the public URL (known once the gateway listens). */
  issuer(): string {
    return this.core.issuers.url(OAUTH_ISSUER_PATH);
  }

  /** RFC 7662: the claims of an active token of this issuer's; `{active: false}` for anything else. */
  introspect(token: string) {
    return this.core.tokens.introspectSigned(token, this.ownTokens());
  }

  /** The id of an active token of this client's, or null (RFC 7009: anything else changes nothing). */
  ownActiveToken(client: PrincipalEntity, token: string): Promise<string | null> {
    return this.core.tokens.ownActiveSigned(client, token, this.ownTokens());
  }

  private ownTokens() {
    return { verify: { issuer: this.issuer(), type: OAUTH_TOKEN_TYPE, audience: OAUTH_AUDIENCE }, provider: this.provider.id, kind: OAUTH_TOKEN_KIND, ownerKind: OAUTH_CLIENT_KIND };
  }
}

/** The client's access-token lifetime; a stored value out of bounds (hand-edited) falls back to the shortest. */
function lifetimeOf(client: PrincipalEntity): number {
  const value = Number(client.attributes?.accessTokenLifetimeSeconds);
  return Number.isInteger(value) && value >= MIN_TOKEN_LIFETIME_SECONDS && value <= MAX_TOKEN_LIFETIME_SECONDS ? value : MIN_TOKEN_LIFETIME_SECONDS;
}
