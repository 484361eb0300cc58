import type { Actor } from '../credentials/actor';

/** What an action is checked against: the principal and, where there is one, its target. */
export interface AuthorizationTarget {
  /** The principal the action is about (owner of a token, the account itself). */
  ownerId?: string | null;
  /** The owner's kind as its provider calls it (user, service_account, api_token, …), when known. */
  ownerKind?: string | null;
  [key: string]: unknown;
}

/**
 * What an action needs. Any satisfied clause allows it; an action with no requirement is denied.
 * The operator may do everything.
 */
export interface Requirement {
  /** Any of these roles (case-sensitive, as vendors define them). */
  roles?: readonly string[];
  /** All of these permissions. */
  permissions?: readonly string[];
  /** Any principal of the provider acting on itself or its own tokens. */
  self?: boolean;
  /** Any authenticated principal of the provider. */
  anyPrincipal?: boolean;
  /** Whatever else the provider decides, e.g. a grant on a connection. */
  check?: (actor: Actor, target: AuthorizationTarget | undefined) => boolean | Promise<boolean>;
  /** What `check` asks for, in words, for the refusal's message. */
  describe?: (target: AuthorizationTarget | undefined) => string;
}

export type Policy = Readonly<Record<string, Requirement>>;

/**
 * The acts every provider may offer, each with the one action name its policy entry, its
 * authorization and its audit row use. A provider's own acts (vendor-only routes) are named by
 * the provider, next to these.
 */
export const Acts = {
  listServiceAccounts: 'serviceAccount.list',
  getServiceAccount: 'serviceAccount.read',
  createServiceAccount: 'serviceAccount.create',
  updateServiceAccount: 'serviceAccount.update',
  deleteServiceAccount: 'serviceAccount.delete',
  importServiceAccounts: 'serviceAccount.import',
  createRefreshToken: 'refreshToken.create',
  regenerateRefreshToken: 'refreshToken.regenerate',
  createAccessToken: 'accessToken.create',
  /** Reading a principal's tokens: one token, or the list of them. */
  readTokens: 'token.read',
  revokeToken: 'token.revoke',
  /** Every active access token minted from one refresh token. */
  revokeAccessTokens: 'refreshToken.revokeAccessTokens',
  /** Every token a principal holds (offboarding); the principal stays. */
  revokeAllTokens: 'token.revokeAll',
  listPermissions: 'permission.list',
  listPersonas: 'persona.list',
  createPersona: 'persona.create',
  createOAuthClient: 'oauthClient.create',
  regenerateOAuthClientSecret: 'oauthClient.regenerateSecret',
  rotateSigningKey: 'signingKey.rotate',
  subscribeEvents: 'event.subscribe',
} as const;

export type ActName = keyof typeof Acts;
