import type { NextFunction, Request, Response, Router } from 'express';
import { isGatewayError, unauthenticated, type ErrorCode } from '../../../core';
import type { RouteKit } from '../../provider';
import { JWKS_MAX_AGE_SECONDS, OAUTH_PATHS } from './oauth.constants';
import { OAuthError, type AlationOAuth, type ClientCredentials } from './oauth.service';

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
const BASIC_CHALLENGE = 'Basic realm="keygate", charset="UTF-8"';
/** Members a JWK may hold only in a private key (RFC 7517/7518): never published. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * Alation's OAuth 2.0 endpoints: token (client credentials), introspection (RFC 7662), revocation
 * (RFC 7009), the key set, and two administration routes (regenerate a client secret, revoke all
 * of a client's tokens). Every path answers with and without its trailing slash.
 */
export function oauthRoutes(router: Router, kit: RouteKit, oauth: AlationOAuth): void {
  /** A protocol endpoint: form body, client authentication, RFC 6749 §5.2 errors. */
  const protocol = (path: string, work: (req: Request, form: Record<string, string>) => Promise<object>) => {
    router.post(path, async (req: Request, res: Response) => {
      try {
        const body = await work(req, readForm(req));
        res.status(200).set(NO_STORE).json(body);
      } catch (error) {
        sendOAuthError(res, error);
      }
    });
    router.all(path, (_req: Request, res: Response) => {
      res.status(405).set({ allow: 'POST', ...NO_STORE }).json({ error: 'invalid_request', error_description: 'Use POST with an application/x-www-form-urlencoded body.' });
    });
  };

  const authenticate = (req: Request, form: Record<string, string>) =>
    oauth.authenticateClient(kit.origin(req), req.ip ?? req.socket.remoteAddress ?? 'unknown', clientCredentials(req, form));

  protocol(OAUTH_PATHS.token, async (req, form) => {
    const grantType = form.grant_type;
    if (!grantType) throw new OAuthError(400, 'invalid_request', 'grant_type is required; the supported grant type is "client_credentials".');
    if (grantType !== 'client_credentials')
      throw new OAuthError(400, 'unsupported_grant_type', `Unsupported grant_type "${grantType.slice(0, 64)}": the supported grant type is "client_credentials".`);
    if (form.scope !== undefined)
      throw new OAuthError(400, 'invalid_scope', 'These tokens carry the role of the client\'s system user and no scopes: send no scope parameter.');
    const client = await authenticate(req, form);
    return oauth.issueToken(kit.origin(req), client);
  });

  protocol(OAUTH_PATHS.introspect, async (req, form) => {
    await authenticate(req, form);
    if (!form.token) throw new OAuthError(400, 'invalid_request', 'token is required.');
    return oauth.introspect(form.token);
  });

  protocol(OAUTH_PATHS.revoke, async (req, form) => {
    const client = await authenticate(req, form);
    if (!form.token) throw new OAuthError(400, 'invalid_request', 'token is required.');
    await oauth.revoke(kit.origin(req), client, form.token);
    return {};
  });

  // The key set for offline verification: public halves only, cacheable.
  router.get(OAUTH_PATHS.jwks, async (_req: Request, res: Response) => {
    try {
      const { keys } = await kit.core.signing.jwks();
      const published = keys.map((key) => Object.fromEntries(Object.entries(key).filter(([member]) => !PRIVATE_JWK_MEMBERS.includes(member))));
      res.set('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`).json({ keys: published });
    } catch {
      res.status(503).json({ error: 'temporarily_unavailable', error_description: 'Signing keys are unavailable.' });
    }
  });

  /** An administration route: the caller's bearer credential (`Authorization: Bearer` or `TOKEN`). */
  const admin = (path: string, work: (req: Request, ctx: Awaited<ReturnType<RouteKit['context']>>) => Promise<object>) =>
    router.post(path, async (req: Request, res: Response) => {
      try {
        const ctx = await kit.context(req);
        if (!ctx.actor) throw unauthenticated();
        res.status(200).set(NO_STORE).json(await work(req, ctx));
      } catch (error) {
        sendAdminError(res, error);
      }
    });

  admin(OAUTH_PATHS.clientSecret, async (req, ctx) => {
    const { client, clientSecret } = await oauth.regenerateSecret(ctx, String(req.params.clientId));
    return { client_id: client.clientId, client_secret: clientSecret };
  });

  admin(OAUTH_PATHS.clientRevokeTokens, async (req, ctx) => {
    const { client, revokedIds } = await oauth.revokeClientTokens(ctx, String(req.params.clientId));
    return { client_id: client.clientId, revoked: revokedIds.length };
  });

  // A body the parsers refuse (too large, bad JSON) answers in the OAuth error shape too.
  router.use('/oauth/v2', (error: { type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const tooLarge = error?.type === 'entity.too.large';
    res
      .status(tooLarge ? 413 : 400)
      .set(NO_STORE)
      .json({ error: 'invalid_request', error_description: tooLarge ? 'Request body is too large.' : 'Request body could not be read.' });
  });
}

/**
 * The form parameters, each once (RFC 6749 §3.2: parameters MUST NOT repeat); anything but an
 * `application/x-www-form-urlencoded` body is `invalid_request`.
 */
function readForm(req: Request): Record<string, string> {
  if (!req.is('application/x-www-form-urlencoded'))
    throw new OAuthError(400, 'invalid_request', 'The request body must be application/x-www-form-urlencoded.');
  const raw: unknown = req.body;
  const form: Record<string, string> = {};
  if (!raw || typeof raw !== 'object') return form;
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== 'string') throw new OAuthError(400, 'invalid_request', `Parameter "${name.slice(0, 64)}" is repeated; send each parameter once.`);
    // RFC 6749 §3.1: a parameter sent without a value is treated as omitted.
    if (value !== '') form[name] = value;
  }
  return form;
}

/**
 * RFC 6749 §2.3.1: HTTP Basic (id and secret form-urlencoded, then base64) or `client_id` +
 * `client_secret` in the body; never both. Null when the request carries no client credentials.
 */
function clientCredentials(req: Request, form: Record<string, string>): ClientCredentials | null {
  const header = req.headers.authorization;
  if (header !== undefined) {
    if (form.client_secret !== undefined) throw new OAuthError(400, 'invalid_request', 'Authenticate the client one way only: HTTP Basic or client_secret in the body, not both.');
    const basic = parseBasic(header);
    // A client_id in the body next to Basic is allowed (§3.2.1) only when it names the same client.
    if (basic && form.client_id !== undefined && form.client_id !== basic.clientId)
      throw new OAuthError(400, 'invalid_request', 'The client_id in the body does not match the HTTP Basic credentials.');
    // Another scheme, or a malformed Basic header: authentication failed (401 invalid_client).
    return basic ?? { method: 'basic', clientId: '', secret: '' };
  }
  if (form.client_id === undefined && form.client_secret === undefined) return null;
  return { method: 'post', clientId: form.client_id ?? '', secret: form.client_secret ?? '' };
}

function parseBasic(header: string): ClientCredentials | null {
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  try {
    const unescape = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return { method: 'basic', clientId: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

/** `{error, error_description}`; a 401 always names the Basic scheme (RFC 6749 §5.2, RFC 9110 §15.5.2). */
function sendOAuthError(res: Response, error: unknown): void {
  let failure: OAuthError;
  if (error instanceof OAuthError) failure = error;
  else if (isGatewayError(error) && error.code === 'UNAUTHENTICATED') failure = new OAuthError(401, 'invalid_client', error.message);
  else if (isGatewayError(error) && error.code === 'BAD_USER_INPUT') failure = new OAuthError(400, 'invalid_request', error.message);
  else if (isGatewayError(error) && error.code === 'RATE_LIMITED') {
    failure = new OAuthError(429, 'temporarily_unavailable', error.message);
    res.set('retry-after', String(error.details?.retryAfterSeconds ?? 60));
  }
  else failure = new OAuthError(500, 'server_error', 'Internal server error.');
  res.set(NO_STORE);
  if (failure.status === 401) res.set('www-authenticate', BASIC_CHALLENGE);
  res.status(failure.status).json({ error: failure.error, error_description: failure.message });
}

const ADMIN_ERRORS: Record<ErrorCode, string> = {
  UNAUTHENTICATED: 'invalid_token',
  FORBIDDEN: 'access_denied',
  BAD_USER_INPUT: 'invalid_request',
  NOT_FOUND: 'not_found',
  CONFLICT: 'conflict',
  RATE_LIMITED: 'rate_limited',
};

/** The administration routes' errors: `{error, error_description}` with the gateway's status codes. */
function sendAdminError(res: Response, error: unknown): void {
  res.set(NO_STORE);
  if (!isGatewayError(error)) return void res.status(500).json({ error: 'server_error', error_description: 'Internal server error.' });
  if (error.code === 'UNAUTHENTICATED') res.set('www-authenticate', 'Bearer realm="keygate"');
  res.status(error.httpStatus).json({ error: ADMIN_ERRORS[error.code], error_description: error.message });
}
