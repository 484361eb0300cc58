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
  /** GraphQL `importServiceAccounts`: a preview unless `confirm`; `onProgress` feeds the CLI's progress bar. */
  importServiceAccounts?(ctx: RequestContext, csv: string, confirm: boolean, options?: { onProgress?(phase: string, done: number, total: number): void }): Promise<ImportResult>;
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
 * What is known of a provider before any gateway runs: the configuration check, the schema
 * printer and the CLI read it without making the provider.
 */
export interface ProviderManifest {
  readonly id: string;
  readonly displayName: string;
  /** Default seconds per token kind; `KEYGATE_LIFESPANS` may override exactly these kinds. */
  readonly lifespans: Readonly<Record<string, number | null>>;
  /** It signs tokens (JWTs), so a gateway on PostgreSQL needs `KEYGATE_MASTER_KEY`. */
  readonly signsTokens?: boolean;
}

/** Makes a provider for one gateway; its static `manifest` says what it is without making it. */
export interface ProviderFactory<P extends ProviderPlugin = ProviderPlugin> {
  (core: CoreServices): P;
  readonly manifest: ProviderManifest;
}

/** A factory whose plugins carry the manifest's id, display name and lifespans. */
export function defineProvider<P extends ProviderPlugin>(manifest: ProviderManifest, create: (core: CoreServices) => P): ProviderFactory<P> {
  const factory = (core: CoreServices): P => {
    const plugin = create(core);
    if (plugin.id !== manifest.id) throw new Error(`Provider "${plugin.id}" does not match its manifest "${manifest.id}".`);
    return plugin;
  };
  return Object.assign(factory, { manifest });
}
