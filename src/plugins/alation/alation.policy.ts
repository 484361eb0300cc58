import { CoreActions, type Policy, type Requirement } from '../../core';

/** Alation's six roles, case-sensitive, exactly as the vendor spells them. */
export const ALATION_ROLES = ['SERVER_ADMIN', 'CATALOG_ADMIN', 'SOURCE_ADMIN', 'STEWARD', 'COMPOSER', 'VIEWER'] as const;
export type AlationRole = (typeof ALATION_ROLES)[number];

/** What the core actions do not cover; every one is decided by core/authz from the policy below. */
export const AlationActions = {
  /** Revoke every token of another user at once (offboarding). */
  revokeOthersTokens: 'alation.revokeOthersTokens',
  /** See another user's refresh tokens and their access-token status. */
  listOthersTokens: 'alation.listOthersTokens',
  /** Replace a refresh token by a new one with the same name. */
  regenRefreshToken: 'alation.regenRefreshToken',
  /** Create an OAuth 2.0 client application (and its system user). */
  createOAuthClient: 'alation.oauthClient.create',
  /** Replace an OAuth client's secret: the new one is shown once, the old one stops. */
  regenerateOAuthClientSecret: 'alation.oauthClient.regenerateSecret',
  /** Revoke every token an OAuth client holds. */
  revokeOAuthClientTokens: 'alation.oauthClient.revokeTokens',
  /** Rotate the gateway's signing key. */
  rotateSigningKey: 'alation.signingKey.rotate',
  /** An OAuth client gets an access token for itself (client credentials grant). */
  oauthToken: 'alation.oauth.token',
  /** An OAuth client revokes one of its own access tokens (RFC 7009). */
  oauthRevoke: 'alation.oauth.revoke',
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
 * tokens. Only a Server Admin administers OAuth clients (create, regenerate a secret, revoke a
 * client's tokens) and rotates the signing key; an OAuth client mints and revokes its own access
 * tokens. The gateway operator may do everything (core/authz).
 */
export const alationPolicy: Policy = {
  [CoreActions.createServiceAccount]: serverAdmin,
  [CoreActions.importServiceAccounts]: serverAdmin,
  [CoreActions.listServiceAccounts]: serverAdmin,
  [CoreActions.deleteServiceAccount]: serverAdmin,
  [CoreActions.readServiceAccount]: ownOrServerAdmin,
  [CoreActions.createRefreshToken]: ownOnly,
  [CoreActions.createAccessToken]: ownOnly,
  [AlationActions.regenRefreshToken]: ownOnly,
  [CoreActions.readToken]: ownOrServerAdmin,
  [CoreActions.revokeToken]: ownOrServerAdmin,
  [AlationActions.revokeOthersTokens]: serverAdmin,
  [AlationActions.listOthersTokens]: serverAdmin,
  [CoreActions.subscribeEvents]: ownOrServerAdmin,
  [CoreActions.listPermissions]: { anyPrincipal: true },
  [CoreActions.listPersonas]: { anyPrincipal: true },
  [AlationActions.createOAuthClient]: serverAdmin,
  [AlationActions.regenerateOAuthClientSecret]: serverAdmin,
  [AlationActions.revokeOAuthClientTokens]: serverAdmin,
  [AlationActions.rotateSigningKey]: serverAdmin,
  [AlationActions.oauthToken]: oauthClientItself,
  [AlationActions.oauthRevoke]: oauthClientItself,
};

/** The vendor's own messages for a token that does not authenticate (VENDORS.md). */
export const ALATION_MESSAGES = {
  refreshInvalid: 'Refresh token provided is invalid.',
  refreshExpired: 'Refresh token provided is expired or revoked.',
  accessInvalid: 'API Access Token provided is invalid.',
  loginInvalid: 'Invalid username or password.',
} as const;
