import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import {
  badInput,
  hashSecret,
  notFound,
  SECRET_KINDS,
  verifySecret,
  type CoreServices,
  type ProviderDescriptor,
  type RequestContext,
} from '../../../core';
import { PrincipalEntity } from '../../../entities';
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

/** A protocol failure of the OAuth endpoints, answered as RFC 6749 §5.2 `{error, error_description}`. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope' | 'temporarily_unavailable' | 'server_error',
    description: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

/** The client credentials a request carried (RFC 6749 §2.3.1), before they are checked. */
export interface ClientCredentials {
  method: 'basic' | 'post';
  clientId: string;
  secret: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export type Introspection =
  | { active: false }
  | { active: true; client_id: string; sub: string; exp: number; iat: number; iss: string; aud: string | string[]; jti: string; token_type: 'Bearer' };

/** Compared against when the client id is unknown, so an unknown id costs what a known one does. */
const DUMMY_SECRET_HASH = hashSecret(randomBytes(32).toString('hex'));
const INACTIVE = Object.freeze({ active: false as const });

/**
 * Alation's OAuth 2.0 client applications: a client is an Alation system user (a `service_account`
 * of kind `oauth_client` with a role) whose id:secret buys short-lived ES256 access tokens signed
 * by core. GraphQL hooks and REST routes both call this class.
 */
export class AlationOAuth {
  constructor(
    private readonly core: CoreServices,
    private readonly provider: ProviderDescriptor,
  ) {}

  // ---- administration (Server Admin or operator) ---------------------------------------------

  /** GraphQL `createOAuthClient`: the client, its system user with the role, and its secret shown once. */
  async createClient(ctx: RequestContext, input: OAuthClientInput): Promise<IssuedOAuthClient> {
    await this.core.guard.require(ctx, this.provider, AlationActions.createOAuthClient);
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name || name.length > 255) throw badInput('An OAuth client needs a name of 1 to 255 characters.', { field: 'name' });
    const lifetime = input.accessTokenLifetimeSeconds;
    if (!Number.isInteger(lifetime) || lifetime < MIN_TOKEN_LIFETIME_SECONDS || lifetime > MAX_TOKEN_LIFETIME_SECONDS)
      throw badInput(
        `accessTokenLifetimeSeconds must be a whole number of seconds from ${MIN_TOKEN_LIFETIME_SECONDS} (5 minutes) to ${MAX_TOKEN_LIFETIME_SECONDS} (72 hours).`,
        { field: 'accessTokenLifetimeSeconds' },
      );
    if (typeof input.role !== 'string' || input.role === '') throw badInput('An OAuth client needs the role of its system user.', { field: 'role' });
    const [issued] = await this.core.principals.create(
      ctx,
      this.provider,
      [
        {
          kind: OAUTH_CLIENT_KIND,
          name,
          role: input.role,
          clientId: randomUUID(),
          secretKind: SECRET_KINDS.clientSecret,
          attributes: { accessTokenLifetimeSeconds: lifetime },
        },
      ],
      { action: AlationActions.createOAuthClient },
    );
    const client = issued.record;
    return { id: client.id, clientId: client.clientId!, name: client.name, role: client.role!, serviceAccount: client, clientSecret: issued.secret! };
  }

  /** A new client secret, shown once; the old one stops at once. Tokens already issued keep their lifetime. */
  async regenerateSecret(ctx: RequestContext, clientId: string): Promise<{ client: PrincipalEntity; clientSecret: string }> {
    // Authorization first: a caller who may not administer clients learns nothing about client ids.
    await this.core.guard.require(ctx, this.provider, AlationActions.regenerateOAuthClientSecret);
    return this.core.db.transaction(async (tx) => {
      const client = await this.clientByClientId(clientId, tx.manager);
      if (!client) throw notFound('OAuth client');
      const issued = await this.core.principals.replaceSecret(ctx, this.provider, client.id, SECRET_KINDS.clientSecret, {
        action: AlationActions.regenerateOAuthClientSecret,
        tx,
      });
      return { client: issued.record, clientSecret: issued.secret! };
    });
  }

  /** Every active token of one client, revoked at once (an event per token on the stream). */
  async revokeClientTokens(ctx: RequestContext, clientId: string): Promise<{ client: PrincipalEntity; revokedIds: string[] }> {
    await this.core.guard.require(ctx, this.provider, AlationActions.revokeOAuthClientTokens);
    const client = await this.clientByClientId(clientId);
    if (!client) throw notFound('OAuth client');
    const revokedIds = await this.core.tokens.revokeAllOf(ctx, this.provider, client.id, AlationActions.revokeOAuthClientTokens);
    return { client, revokedIds };
  }

  /** GraphQL `rotateSigningKey`: new tokens use a new key at once; the old key stays published until its last token expires. */
  async rotateSigningKey(ctx: RequestContext): Promise<{ kid: string; publishedKids: string[] }> {
    await this.core.guard.require(ctx, this.provider, AlationActions.rotateSigningKey);
    const rotated = await this.core.signing.rotate();
    await this.core.audit.record({
      actor: ctx.actor,
      action: AlationActions.rotateSigningKey,
      provider: this.provider.id,
      target: rotated.kid,
      outcome: 'success',
      origin: ctx.origin,
      detail: { publishedKids: rotated.publishedKids },
    });
    return rotated;
  }

  // ---- the protocol endpoints (client authentication) -----------------------------------------

  /**
   * The client whose id and secret these are. Unknown ids cost the same lookup and comparison as
   * known ones, and every failure is the same `invalid_client`.
   */
  async authenticateClient(origin: string, address: string, credentials: ClientCredentials | null): Promise<PrincipalEntity> {
    // Guessing secrets from one address costs a minute per few tries (shared with bearer failures).
    this.core.authFailures.check(address);
    const candidate = credentials ? await this.clientByClientId(credentials.clientId.slice(0, 255)) : null;
    const client = candidate?.secretHash ? candidate : null;
    const matches = verifySecret(credentials?.secret ?? '', client?.secretHash ?? DUMMY_SECRET_HASH);
    if (!credentials || !client || !matches) {
      this.core.authFailures.fail(address);
      await this.core.audit.record({ actor: null, action: 'alation.oauth.clientAuthentication', provider: this.provider.id, target: client?.id ?? null, outcome: 'failed', origin });
      throw new OAuthError(401, 'invalid_client', 'Client authentication failed: send the client_id and client_secret of an OAuth client, by HTTP Basic or in the form body (not both).');
    }
    return client;
  }

  /** `grant_type=client_credentials`: a signed access token for the client's system user, with the client's lifetime. */
  async issueToken(origin: string, client: PrincipalEntity): Promise<TokenResponse> {
    const actor = await this.core.credentials.principalActor(client, { id: `client:${client.id}`, expiresAt: null });
    const lifespanSeconds = lifetimeOf(client);
    const issued = await this.core.tokens.issueSignedToken({ actor, origin }, this.provider, client, {
      kind: OAUTH_TOKEN_KIND,
      issuer: OAUTH_ISSUER,
      audience: OAUTH_AUDIENCE,
      type: OAUTH_TOKEN_TYPE,
      lifespanSeconds,
      action: AlationActions.oauthToken,
    });
    return { access_token: issued.secret!, token_type: 'Bearer', expires_in: lifespanSeconds };
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

  /**
   * RFC 7009: revokes one of the calling client's own tokens through core (an event on the stream,
   * refused by keygate at once). Anything else (unknown, invalid, already revoked or expired,
   * another client's) changes nothing and is not an error.
   */
  async revoke(origin: string, client: PrincipalEntity, token: string): Promise<void> {
    const found = await this.activeToken(token);
    if (!found || found.tokenId === null || found.ownerId !== client.id) return;
    const actor = await this.core.credentials.principalActor(client, { id: `client:${client.id}`, expiresAt: null });
    await this.core.tokens.revoke({ actor, origin }, this.provider, found.tokenId, { action: AlationActions.oauthRevoke });
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private async activeToken(token: string) {
    if (typeof token !== 'string' || token.length === 0) return null;
    const claims = await this.core.signing.verify(token, { issuer: OAUTH_ISSUER, type: OAUTH_TOKEN_TYPE, audience: OAUTH_AUDIENCE });
    if (!claims || typeof claims.jti !== 'string' || typeof claims.sub !== 'string') return null;
    const row = await this.core.tokens.findByJti(claims.jti);
    if (!row || row.provider !== this.provider.id || row.kind !== OAUTH_TOKEN_KIND || row.ownerId !== claims.sub) return null;
    if (this.core.tokens.status(row) !== 'ACTIVE') return null;
    const owner = await this.core.principals.find(row.ownerId);
    if (!owner || owner.provider !== this.provider.id || owner.kind !== OAUTH_CLIENT_KIND) return null;
    return { claims, tokenId: row.id, ownerId: owner.id };
  }

  /** A live OAuth client of this provider by its client id, or null. */
  private async clientByClientId(clientId: string, manager: EntityManager = this.core.db.manager): Promise<PrincipalEntity | null> {
    if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > 255) return null;
    const account = await this.core.principals.findByClientId(clientId, manager);
    return account && account.provider === this.provider.id && account.kind === OAUTH_CLIENT_KIND ? account : null;
  }
}

/** The client's access-token lifetime; a stored value out of bounds (hand-edited) falls back to the shortest. */
function lifetimeOf(client: PrincipalEntity): number {
  const value = Number(client.attributes?.accessTokenLifetimeSeconds);
  return Number.isInteger(value) && value >= MIN_TOKEN_LIFETIME_SECONDS && value <= MAX_TOKEN_LIFETIME_SECONDS ? value : MIN_TOKEN_LIFETIME_SECONDS;
}
