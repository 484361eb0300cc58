import type { AnyToken, Issued, Page, PrincipalPage, RequestContext, TokenStatus } from '../core';
import type { AccessTokenEntity, PermissionEntity, PersonaEntity, PersonaPolicy, PrincipalEntity, RefreshTokenEntity } from '../entities';
import type { AccessTokenInput, ImportOptions, ImportResult, IssuedOAuthClient, OAuthClientInput, RefreshTokenInput, ServiceAccountInput } from './provider';

/** What a face knows the target must be; anything else is NOT_FOUND (after authorization). */
/** The longest an old OAuth client secret keeps working after a regeneration. */
export const MAX_SECRET_OVERLAP_SECONDS = 24 * 3600;

export interface Expect {
  /** The principal's (or token's) kind, or one of several. */
  kind?: string | readonly string[];
  /** What the 404 calls the object (`User`, `API token`, …). */
  label?: string;
}

export interface TokenExpect {
  /** An access token's kind, or `refresh` for a refresh token. */
  kind?: string;
  label?: string;
  /** Only a token of this owner. */
  ownerId?: string;
  /** Only a token in this status (a vendor that deletes tokens does not find revoked ones). */
  status?: TokenStatus;
}

export interface ListQuery {
  /** One provider (a refusal is then an error), or every provider the caller may list (the others are left out). */
  provider?: string | null;
  kinds?: readonly string[];
  first?: number | null;
  after?: string | null;
  /** False when nobody reads `totalCount` (a connection query that does not select it): it is not counted and reads 0. */
  countTotal?: boolean;
  /** Vendor lists: exact or case-insensitive matches, a sort, offset paging. */
  filter?: Record<string, { op: 'eq' | 'ilike'; value: string }>;
  sort?: { field: 'createdAt' | 'name' | 'clientId'; direction: 'ASC' | 'DESC' };
  offset?: number;
  limit?: number;
}

export interface TokenList {
  owner: PrincipalEntity;
  tokens: (RefreshTokenEntity | AccessTokenEntity)[];
  /** For refresh tokens: the newest access token minted from each (null when none was). */
  newestAccessToken(refreshTokenId: string): AccessTokenEntity | null;
}

/** A principal named by its id or by its client id. */
export type PrincipalRef = { id: string } | { clientId: string };

/**
 * The contract's acts, as both faces call them. Each resolves its provider (from the target, the
 * input or the caller), loads the target, authorizes once with core/authz against the provider's
 * policy entry for the act, then runs the provider's method or core's default. Resolvers and
 * routes call these and nothing else for an act.
 */
export interface ActRegistry {
  listServiceAccounts(ctx: RequestContext, query: ListQuery): Promise<PrincipalPage>;
  getServiceAccount(ctx: RequestContext, id: string, expect?: Expect): Promise<PrincipalEntity>;
  createServiceAccount(ctx: RequestContext, provider: string, input: ServiceAccountInput): Promise<Issued<PrincipalEntity>>;
  updateServiceAccount(ctx: RequestContext, id: string, input: ServiceAccountInput, expect?: Expect): Promise<PrincipalEntity>;
  deleteServiceAccount(ctx: RequestContext, id: string, expect?: Expect): Promise<{ account: PrincipalEntity; revokedTokenIds: string[] }>;
  importServiceAccounts(ctx: RequestContext, provider: string, csv: string, confirm: boolean, options?: ImportOptions): Promise<ImportResult>;

  createRefreshToken(ctx: RequestContext, input: RefreshTokenInput): Promise<Issued<RefreshTokenEntity>>;
  /** A new refresh token with the same name and owner; the old one (and its access tokens) revoked, at once. */
  regenerateRefreshToken(ctx: RequestContext, refreshTokenId: string): Promise<Issued<RefreshTokenEntity>>;
  createAccessToken(ctx: RequestContext, input: AccessTokenInput): Promise<Issued<AccessTokenEntity>>;
  getToken(ctx: RequestContext, id: string): Promise<AnyToken>;
  listTokens(ctx: RequestContext, ownerId: string, filter: { type: 'refresh' | 'access'; kind?: string; status?: TokenStatus }, expect?: Expect): Promise<TokenList>;
  /** One token; a refresh token takes its access tokens with it. */
  revokeToken(ctx: RequestContext, id: string, expect?: TokenExpect): Promise<{ token: AnyToken; revokedIds: string[] }>;
  revokeAccessTokens(ctx: RequestContext, refreshTokenId: string): Promise<{ refreshToken: RefreshTokenEntity; revokedIds: string[] }>;
  /** Everything a principal holds (offboarding); the principal stays. */
  revokeAllTokens(ctx: RequestContext, principal: PrincipalRef, expect?: Expect): Promise<{ owner: PrincipalEntity; revokedIds: string[] }>;

  listPermissions(ctx: RequestContext, provider: string): Promise<PermissionEntity[]>;
  listPersonas(ctx: RequestContext, args: { first?: number | null; after?: string | null }): Promise<Page<PersonaEntity>>;
  getPersona(ctx: RequestContext, id: string): Promise<PersonaEntity>;
  createPersona(ctx: RequestContext, provider: string | null | undefined, input: { name: string; qualifiedName?: string | null; policies?: PersonaPolicy[] | null }): Promise<PersonaEntity>;

  createOAuthClient(ctx: RequestContext, input: OAuthClientInput): Promise<IssuedOAuthClient>;
  /** A new client secret; the old one keeps working for `overlapSeconds` (0 to 86400; 0: stops at once). */
  regenerateOAuthClientSecret(ctx: RequestContext, clientId: string, overlapSeconds?: number): Promise<IssuedOAuthClient>;
  rotateSigningKey(ctx: RequestContext): Promise<{ kid: string; publishedKids: string[] }>;

  /** Whether the caller may read an account (`getServiceAccount`) or its tokens (`readTokens`): for fields, which leave out rather than refuse. */
  mayRead(ctx: RequestContext, account: Pick<PrincipalEntity, 'id' | 'provider' | 'kind'>, what: 'getServiceAccount' | 'readTokens'): Promise<boolean>;
}
