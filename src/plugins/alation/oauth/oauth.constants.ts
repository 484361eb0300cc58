/** The issuer's path under the public URL: the `iss` of Alation OAuth clients' tokens is `KEYGATE_PUBLIC_URL/oauth/v2`. */
export const OAUTH_ISSUER_PATH = '/oauth/v2';
/** The `aud` of those tokens: the Alation API keygate serves. */
export const OAUTH_AUDIENCE = 'urn:keygate:alation:api';
/** The `typ` header: an OAuth 2.0 access token in JWT format (RFC 9068), so it cannot pass for another kind of JWT. */
export const OAUTH_TOKEN_TYPE = 'at+jwt';

/** `service_account.kind` of an OAuth client's system user, and `access_token.kind` of its tokens. */
export const OAUTH_CLIENT_KIND = 'oauth_client';
export const OAUTH_TOKEN_KIND = 'oauth';

/** Access-token duration bounds from the vendor: 5 minutes to 72 hours. */
export const MIN_TOKEN_LIFETIME_SECONDS = 300;
export const MAX_TOKEN_LIFETIME_SECONDS = 72 * 3600;

/** Where the routes live; every path also answers with a trailing slash. */
export const OAUTH_PATHS = {
  token: '/oauth/v2/token',
  introspect: '/oauth/v2/introspect',
  revoke: '/oauth/v2/revoke',
  jwks: '/oauth/v2/.well-known/jwks.json',
  clientSecret: '/oauth/v2/clients/:clientId/secret',
  clientRevokeTokens: '/oauth/v2/clients/:clientId/revoke-tokens',
} as const;
