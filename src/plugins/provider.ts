import type { Router } from 'express';
import type {
  AccessTokenEntity,
  RefreshTokenEntity,
  PrincipalEntity,
} from '../entities';
import type { Actor, BearerVerifier, CoreServices, Issued, ProviderDescriptor, RequestContext } from '../core';

/**
 * The provider contract. A provider is data (catalog, lifespans, policy) plus optional hooks; core
 * does the mechanics once. It is made by a factory that receives the core services, and it knows
 * nothing of the other providers.
 */
export interface ProviderPlugin extends ProviderDescriptor {
  /** Lower-case id, stored in every row it owns; upper-cased, it is the GraphQL `Provider` value. */
  readonly id: string;
  readonly displayName: string;

  init?(): Promise<void> | void;
  destroy?(): Promise<void> | void;

  /** GraphQL `createServiceAccount`: validates the provider's own fields, then calls core. */
  createServiceAccount?(ctx: RequestContext, input: ServiceAccountInput): Promise<Issued<PrincipalEntity>>;
  /** GraphQL `updateServiceAccount`: the provider's editable fields; lists given are complete sets. */
  updateServiceAccount?(ctx: RequestContext, id: string, input: ServiceAccountInput): Promise<PrincipalEntity>;
  deleteServiceAccount?(ctx: RequestContext, id: string): Promise<{ revokedTokenIds: string[] }>;
  /** GraphQL `createRefreshToken`: a long-lived token that mints access tokens (two-step providers). */
  createRefreshToken?(ctx: RequestContext, input: RefreshTokenInput): Promise<Issued<RefreshTokenEntity>>;
  /** GraphQL `createAccessToken`: from a refresh token, or directly for a principal. */
  createAccessToken?(ctx: RequestContext, input: AccessTokenInput): Promise<Issued<AccessTokenEntity>>;
  /** GraphQL `revokeToken`, when the provider adds rules of its own; returns every id it revoked. */
  revokeToken?(ctx: RequestContext, id: string): Promise<string[]>;
  /** GraphQL `revokeAccessTokens`: every active access token minted from one refresh token. */
  revokeAccessTokens?(ctx: RequestContext, refreshTokenId: string): Promise<string[]>;
  /** GraphQL `revokeServiceAccountTokens`: every token a principal holds (offboarding), the account stays. */
  revokeServiceAccountTokens?(ctx: RequestContext, serviceAccountId: string): Promise<string[]>;
  /** GraphQL `importServiceAccounts`: a preview unless `confirm`. */
  importServiceAccounts?(ctx: RequestContext, csv: string, confirm: boolean): Promise<ImportResult>;
  /** GraphQL `createOAuthClient` (providers with OAuth client applications). */
  createOAuthClient?(ctx: RequestContext, input: OAuthClientInput): Promise<IssuedOAuthClient>;
  /** GraphQL `regenerateOAuthClientSecret`: a new secret shown once; the old one stops working. */
  regenerateOAuthClientSecret?(ctx: RequestContext, clientId: string): Promise<{ client: PrincipalEntity; clientSecret: string }>;
  /** GraphQL `revokeOAuthClientTokens`: every token the client holds. */
  revokeOAuthClientTokens?(ctx: RequestContext, clientId: string): Promise<{ client: PrincipalEntity; revokedIds: string[] }>;
  /** GraphQL `rotateSigningKey` (providers that sign their own tokens). */
  rotateSigningKey?(ctx: RequestContext): Promise<{ kid: string; publishedKids: string[] }>;

  /** Credentials in the provider's own format (JWTs): an Actor, or `null` when not the provider's. */
  verifyBearer?: BearerVerifier;
  /** The vendor-compatible REST face, mounted at the server's root. */
  routes?(router: Router, kit: RouteKit): void;
}

/** `CreateServiceAccountInput`: every provider's fields side by side; each provider reads its own. */
export interface ServiceAccountInput {
  name?: string | null;
  user?: string | null;
  displayName?: string | null;
  email?: string | null;
  title?: string | null;
  role?: string | null;
  password?: string | null;
  description?: string | null;
  personaQualifiedNames?: string[] | null;
  validitySeconds?: number | null;
  permissions?: string[] | null;
}

export interface RefreshTokenInput {
  serviceAccountId?: string | null;
  name: string;
  username?: string | null;
  password?: string | null;
}

export interface AccessTokenInput {
  refreshTokenId?: string | null;
  serviceAccountId?: string | null;
  name?: string | null;
  /** Replace the refresh token's current access token (revoking it) instead of adding one. */
  regenerate?: boolean | null;
}

export interface ImportRowError {
  line: number;
  field: string | null;
  message: string;
}

export interface ImportResult {
  confirmed: boolean;
  total: number;
  valid: number;
  errors: ImportRowError[];
  created: PrincipalEntity[];
}

export interface OAuthClientInput {
  name: string;
  accessTokenLifetimeSeconds: number;
  role: string;
}

export interface IssuedOAuthClient {
  id: string;
  clientId: string;
  name: string;
  role: string;
  serviceAccount: PrincipalEntity;
  clientSecret: string;
}

/** What a provider's REST routes get from the edge. */
export interface RouteKit {
  core: CoreServices;
  /** The caller's Actor (or null when no credential was sent) and the request's audit origin. */
  context(req: import('express').Request): Promise<RequestContext>;
  /** Where routes log what they could not handle (credentials are redacted). */
  logger: import('../core').Logger;
  /** The audit origin of a request (`rest <ip>`), for routes that authenticate by other means. */
  origin(req: import('express').Request): string;
  /** Resolves a credential the provider received some other way (a body field, Basic auth). */
  actorFor(value: string): Promise<Actor>;
}

/**
 * Makes a provider for one gateway. It may keep `core` for later but must not use it while
 * constructing: the schema printer calls factories without a core to learn their ids.
 */
export type ProviderFactory = (core: CoreServices) => ProviderPlugin;
