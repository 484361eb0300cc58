import type { AccessTokenEntity, PrincipalEntity, RefreshTokenEntity } from '../entities';
import type { Actor, CoreServices, Issued, ProviderDescriptor, RequestContext } from '../core';
import type { RouteKit } from './route-kit';

/**
 * The provider contract. A provider is data (catalog, lifespans, policy) plus optional act
 * methods and hooks; core does the mechanics once. The registry resolves the provider of every
 * act, loads its target, asks core/authz once against the provider's policy, and only then calls
 * the act's method here (or core's default when the provider has none). So an act method never
 * authorizes; it validates the vendor's input, applies the vendor's rules, and writes through
 * core (`core.change` and core's repositories), never with SQL of its own.
 *
 * Acts that make something new (accounts, tokens, clients) need the provider's method; acts on
 * something that exists (read, list, delete, revoke, regenerate a secret, rotate the key) have
 * a core default.
 */
export interface ProviderPlugin extends ProviderDescriptor {
  /** Lower-case id, stored in every row it owns; upper-cased, it is the GraphQL `Provider` value. */
  readonly id: string;
  readonly displayName: string;

  init?(): Promise<void> | void;
  destroy?(): Promise<void> | void;

  /** The principal kind a `createServiceAccount` input makes, for policies that depend on it. */
  kindOf?(input: ServiceAccountInput): string;
  /** The provider's password login: the Actor of the user whose name and password these are. */
  signIn?(ctx: RequestContext, username: string, password: string): Promise<Actor>;

  createServiceAccount?(ctx: RequestContext, input: ServiceAccountInput): Promise<Issued<PrincipalEntity>>;
  /** The provider's editable fields of `account`; lists given are complete sets. */
  updateServiceAccount?(ctx: RequestContext, account: PrincipalEntity, input: ServiceAccountInput): Promise<PrincipalEntity>;
  /** Default: core deletes the account and revokes every token it holds. */
  deleteServiceAccount?(ctx: RequestContext, account: PrincipalEntity): Promise<string[]>;
  /** A preview unless `confirm`. */
  importServiceAccounts?(ctx: RequestContext, csv: string, confirm: boolean, options?: ImportOptions): Promise<ImportResult>;
  /** A long-lived token that mints access tokens (two-step providers), for `owner`. */
  createRefreshToken?(ctx: RequestContext, owner: PrincipalEntity, input: RefreshTokenInput): Promise<Issued<RefreshTokenEntity>>;
  /** From `refreshToken` when given, or directly for `owner`. */
  createAccessToken?(ctx: RequestContext, owner: PrincipalEntity, input: AccessTokenInput, refreshToken: RefreshTokenEntity | null): Promise<Issued<AccessTokenEntity>>;
  createOAuthClient?(ctx: RequestContext, input: OAuthClientInput): Promise<IssuedOAuthClient>;

  /** The vendor-compatible REST face: routes declared on the kit, mounted at the server's root. */
  routes?(kit: RouteKit): void;
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
  /** The provider, when neither the owner nor the caller says it. */
  provider?: string | null;
  name: string;
  /** A password login instead of a bearer credential (the provider's `signIn`). */
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

export type ImportPhase = 'validate' | 'hash' | 'write';
export interface ImportOptions {
  onProgress?(phase: ImportPhase, done: number, total: number): void;
}

export interface OAuthClientInput {
  name: string;
  accessTokenLifetimeSeconds: number;
  role: string;
}

export interface IssuedOAuthClient {
  client: PrincipalEntity;
  clientSecret: string;
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
