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
  OAUTH_ISSUER,
  OAUTH_TOKEN_KIND,
  OAUTH_TOKEN_TYPE,
} from './oauth.constants';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export type Introspection =
  | { active: false }
  | { active: true; client_id: string; sub: string; exp: number; iat: number; iss: string; aud: string | string[]; jti: string; token_type: 'Bearer' };

const INACTIVE = Object.freeze({ active: false as const });

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
    const signed = await this.core.tokens.sign(client, { kind: OAUTH_TOKEN_KIND, issuer: OAUTH_ISSUER, audience: OAUTH_AUDIENCE, type: OAUTH_TOKEN_TYPE, lifespanSeconds });
    await this.core.change.append(acting, { provider: this.provider, action: AlationActions.oauthToken }, this.core.tokens.signedAdditions(this.provider, client, signed));
    return { access_token: signed.token, token_type: 'Bearer', expires_in: lifespanSeconds };
  }

  /** The context of an authenticated client acting on its own tokens (RFC 7009 revocation). */
  async clientContext(ctx: RequestContext, client: PrincipalEntity): Promise<RequestContext> {
    return { ...ctx, actor: await this.core.credentials.principalActor(client, { id: `client:${client.id}`, expiresAt: null }) };
  }

  /**
   * RFC 7662: the claims of an active token; `{active: false}` and nothing else for a token that is
   * malformed, tampered, of another issuer or type, signed by an unpublished key, unknown, expired,
   * revoked, or whose client is gone.
   */
  async introspect(token: string): Promise<Introspection> {
    const found = await this.activeToken(token);
    if (!found) return INACTIVE;
    const { claims } = found;
    return {
      active: true,
      client_id: claims.client_id as string,
      sub: claims.sub as string,
      exp: claims.exp as number,
      iat: claims.iat as number,
      iss: claims.iss as string,
      aud: claims.aud as string | string[],
      jti: claims.jti as string,
      token_type: 'Bearer',
    };
  }

  /** The id of an active token of this client's, or null (RFC 7009: anything else changes nothing). */
  async ownActiveToken(client: PrincipalEntity, token: string): Promise<string | null> {
    const found = await this.activeToken(token);
    return found && found.ownerId === client.id ? found.tokenId : null;
  }

  /** The public key set, without any private member. */
  async publicKeys() {
    const { keys } = await this.core.signing.jwks();
    return { keys: keys.map((key) => Object.fromEntries(Object.entries(key).filter(([member]) => !PRIVATE_JWK_MEMBERS.includes(member)))) };
  }

  private async activeToken(token: string) {
    if (typeof token !== 'string' || token.length === 0) return null;
    const claims = await this.core.signing.verify(token, { issuer: OAUTH_ISSUER, type: OAUTH_TOKEN_TYPE, audience: OAUTH_AUDIENCE });
    if (!claims || typeof claims.jti !== 'string' || typeof claims.sub !== 'string') return null;
    const found = await this.core.tokens.findByJtiWithOwner(claims.jti);
    const row = found?.token;
    if (!row || row.provider !== this.provider.id || row.kind !== OAUTH_TOKEN_KIND || row.ownerId !== claims.sub) return null;
    if (this.core.tokens.status(row) !== 'ACTIVE') return null;
    const owner = found.owner;
    if (!owner || owner.provider !== this.provider.id || owner.kind !== OAUTH_CLIENT_KIND) return null;
    return { claims, tokenId: row.id, ownerId: owner.id };
  }
}

/** Members a JWK may hold only in a private key (RFC 7517/7518): never published. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** The client's access-token lifetime; a stored value out of bounds (hand-edited) falls back to the shortest. */
function lifetimeOf(client: PrincipalEntity): number {
  const value = Number(client.attributes?.accessTokenLifetimeSeconds);
  return Number.isInteger(value) && value >= MIN_TOKEN_LIFETIME_SECONDS && value <= MAX_TOKEN_LIFETIME_SECONDS ? value : MIN_TOKEN_LIFETIME_SECONDS;
}
