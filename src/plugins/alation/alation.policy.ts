import { Acts, type Policy, type Requirement } from '../../core';

/** Alation's six roles, case-sensitive, exactly as the vendor spells them. */
export const ALATION_ROLES = ['SERVER_ADMIN', 'CATALOG_ADMIN', 'SOURCE_ADMIN', 'STEWARD', 'COMPOSER', 'VIEWER'] as const;

/** Alation's own acts (REST routes only), next to the contract's. */
export const AlationActions = {
  /** A user proves who they are with a user name and password. */
  passwordLogin: 'alation.passwordLogin',
  /** An OAuth client gets an access token for itself (client credentials grant). */
  oauthToken: 'alation.oauth.token',
  /** An OAuth client authenticates with its id and secret (token, introspection, revocation). */
  oauthClientAuthentication: 'alation.oauth.clientAuthentication',
} as const;

/** Defaults from the seed: refresh tokens 60 days, API access tokens 24 hours (seconds; config overrides). */
export const ALATION_LIFESPANS = { refresh: 60 * 24 * 3600, access: 24 * 3600 } as const;

const serverAdmin: Requirement = { roles: ['SERVER_ADMIN'] };
/** Any role on its own things; a Server Admin on anyone's. */
const ownOrServerAdmin: Requirement = { roles: ['SERVER_ADMIN'], self: true };
/** Any role on its own things only: nobody, not even a Server Admin, acts as another user. */
const ownOnly: Requirement = { self: true };
/** An OAuth client on its own tokens, and nobody else (not even a Server Admin, not a user on itself). */
const oauthClientItself: Requirement = {
  check: (actor, target) => actor.principalKind === 'oauth_client' && !!target?.ownerId && target.ownerId === actor.principalId,
};

/**
 * Who may do what. Only a Server Admin creates users (one at a time or by CSV), lists users, sees and
 * revokes other users' tokens; every role creates, regenerates, uses, lists and revokes its own
 * tokens. Only a Server Admin administers OAuth clients (create, regenerate a secret) and rotates
 * the signing key; an OAuth client mints its own access tokens. The gateway operator may do
 * everything (core/authz).
 */
export const alationPolicy: Policy = {
  [Acts.createServiceAccount]: serverAdmin,
  [Acts.importServiceAccounts]: serverAdmin,
  [Acts.listServiceAccounts]: serverAdmin,
  [Acts.deleteServiceAccount]: serverAdmin,
  [Acts.getServiceAccount]: ownOrServerAdmin,
  [Acts.createRefreshToken]: ownOnly,
  [Acts.regenerateRefreshToken]: ownOnly,
  [Acts.createAccessToken]: ownOnly,
  [Acts.readTokens]: ownOrServerAdmin,
  [Acts.revokeToken]: ownOrServerAdmin,
  [Acts.revokeAccessTokens]: ownOrServerAdmin,
  [Acts.revokeAllTokens]: ownOrServerAdmin,
  [Acts.subscribeEvents]: ownOrServerAdmin,
  [Acts.listPermissions]: { anyPrincipal: true },
  [Acts.listPersonas]: { anyPrincipal: true },
  [Acts.createOAuthClient]: serverAdmin,
  [Acts.regenerateOAuthClientSecret]: serverAdmin,
  [Acts.rotateSigningKey]: serverAdmin,
  [AlationActions.oauthToken]: oauthClientItself,
};

/** The vendor's own messages for a token that does not authenticate. */
export const ALATION_MESSAGES = {
  refreshInvalid: 'Refresh token provided is invalid.',
  refreshExpired: 'Refresh token provided is expired or revoked.',
  accessInvalid: 'API Access Token provided is invalid.',
  loginInvalid: 'Invalid username or password.',
} as const;
