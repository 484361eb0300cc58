import type { z } from 'zod';
import { badInput, parseBasic, type BasicCredentials } from '../../../core';
import type { RouteKit, RouteRequest } from '../../route-kit';
import { JWKS_MAX_AGE_SECONDS, OAUTH_PATHS } from './oauth.constants';
import { oauthAdminErrors, oauthErrors } from './oauth.mapper';
import type { AlationOAuth } from './oauth.service';
import * as shapes from './oauth.shapes';

/**
 * Alation's OAuth 2.0 endpoints: token (client credentials), introspection (RFC 7662), revocation
 * (RFC 7009), the key set, and two administration routes (regenerate a client secret, revoke all
 * of a client's tokens). Every path answers with and without its trailing slash.
 */
export function oauthRoutes(kit: RouteKit, oauth: AlationOAuth): void {
  const { acts } = kit;
  /** A protocol endpoint: form body, client authentication, RFC 6749 §5.2 errors, never cached. */
  const protocol = (path: string, doc: { summary: string; form: z.ZodObject; answer: z.ZodType }, work: (req: RouteRequest, form: Record<string, string>) => Promise<object>) => {
    const options = { errors: oauthErrors, auth: 'none' as const, basic: 'optional' as const, secret: true, summary: doc.summary };
    kit.route('POST', path, async (req) => ({ body: await work(req, readForm(req)) }), { ...options, request: { form: doc.form }, responses: { 200: doc.answer } });
    kit.route('ALL', path, async () => ({ status: 405, headers: { allow: 'POST' }, body: { error: 'invalid_request', error_description: 'Use POST with an application/x-www-form-urlencoded body.' } }), {
      ...options,
      summary: `${doc.summary}: only POST`,
      responses: { 405: shapes.oauthError },
    });
  };
  const authenticate = (req: RouteRequest, form: Record<string, string>) => oauth.authenticateClient(req.ctx, clientCredentials(req, form));

  protocol(OAUTH_PATHS.token, { summary: 'Client credentials: an access token for an OAuth client', form: shapes.tokenForm, answer: shapes.tokenResponse }, async (req, form) => {
    const grantType = form.grant_type;
    if (!grantType) throw badInput('grant_type is required; the supported grant type is "client_credentials".');
    if (grantType !== 'client_credentials')
      throw badInput(`Unsupported grant_type "${grantType.slice(0, 64)}": the supported grant type is "client_credentials".`, { error: 'unsupported_grant_type' });
    if (form.scope !== undefined) throw badInput("These tokens carry the role of the client's system user and no scopes: send no scope parameter.", { error: 'invalid_scope' });
    return oauth.issueToken(req.ctx, await authenticate(req, form));
  });

  protocol(OAUTH_PATHS.introspect, { summary: 'Token introspection (RFC 7662)', form: shapes.tokenForForm, answer: shapes.introspection }, async (req, form) => {
    await authenticate(req, form);
    if (!form.token) throw badInput('token is required.');
    return oauth.introspect(form.token);
  });

  protocol(OAUTH_PATHS.revoke, { summary: 'Token revocation (RFC 7009)', form: shapes.tokenForForm, answer: shapes.empty }, async (req, form) => {
    const client = await authenticate(req, form);
    if (!form.token) throw badInput('token is required.');
    const tokenId = await oauth.ownActiveToken(client, form.token);
    if (tokenId) await acts.revokeToken(await oauth.clientContext(req.ctx, client), tokenId);
    return {};
  });

  // The key set for offline verification: public halves only, cacheable.
  kit.route(
    'GET',
    OAUTH_PATHS.jwks,
    async () => {
      try {
        return { headers: { 'cache-control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` }, body: await oauth.publicKeys() };
      } catch {
        return { status: 503, body: { error: 'temporarily_unavailable', error_description: 'Signing keys are unavailable.' } };
      }
    },
    { errors: oauthErrors, auth: 'none', summary: 'The public signing keys (JWKS)', responses: { 200: shapes.keySet, 503: shapes.oauthError } },
  );

  const admin = { errors: oauthAdminErrors, secret: true };
  kit.route(
    'POST',
    OAUTH_PATHS.clientSecret,
    async (req) => {
      const { client, clientSecret } = await acts.regenerateOAuthClientSecret(req.ctx, String(req.params.clientId), overlapOf(req.body.overlap_seconds));
      return { body: { client_id: client.clientId, client_secret: clientSecret, previous_secret_expires_at: client.previousSecretExpiresAt?.toISOString() ?? null } };
    },
    { ...admin, summary: "Regenerate a client's secret (shown once); `overlap_seconds` keeps the old one working up to 24 hours", request: { json: shapes.secretRotation }, responses: { 200: shapes.clientSecret } },
  );
  kit.route(
    'POST',
    OAUTH_PATHS.clientRevokeTokens,
    async (req) => {
      const { owner, revokedIds } = await acts.revokeAllTokens(req.ctx, { clientId: String(req.params.clientId) }, { kind: 'oauth_client', label: 'OAuth client' });
      return { body: { client_id: owner.clientId, revoked: revokedIds.length } };
    },
    { ...admin, summary: 'Revoke every token of a client', responses: { 200: shapes.revokedClientTokens } },
  );
}

/** `overlap_seconds` from a JSON number or a form string; anything else is left to the act to refuse. */
function overlapOf(value: unknown): number {
  if (value === undefined || value === null || value === '') return 0;
  if (typeof value === 'string' && /^\d{1,9}$/.test(value)) return Number(value);
  return typeof value === 'number' ? value : NaN;
}

/**
 * The form parameters, each once (RFC 6749 §3.2: parameters MUST NOT repeat); anything but an
 * `application/x-www-form-urlencoded` body is `invalid_request`.
 */
function readForm(req: RouteRequest): Record<string, string> {
  if (!req.is('application/x-www-form-urlencoded')) throw badInput('The request body must be application/x-www-form-urlencoded.');
  const raw = req.rawBody;
  const form: Record<string, string> = {};
  if (!raw || typeof raw !== 'object') return form;
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== 'string') throw badInput(`Parameter "${name.slice(0, 64)}" is repeated; send each parameter once.`);
    // RFC 6749 §3.1: a parameter sent without a value is treated as omitted.
    if (value !== '') form[name] = value;
  }
  return form;
}

/**
 * RFC 6749 §2.3.1: HTTP Basic or `client_id` + `client_secret` in the body; never both. Null when
 * the request carries no client credentials.
 */
function clientCredentials(req: RouteRequest, form: Record<string, string>): BasicCredentials | null {
  const header = req.headers.authorization;
  if (header !== undefined) {
    if (form.client_secret !== undefined) throw badInput('Authenticate the client one way only: HTTP Basic or client_secret in the body, not both.');
    const basic = parseBasic(header);
    // A client_id in the body next to Basic is allowed (§3.2.1) only when it names the same client.
    if (basic && form.client_id !== undefined && form.client_id !== basic.id) throw badInput('The client_id in the body does not match the HTTP Basic credentials.');
    // Another scheme, or a malformed Basic header: authentication failed (401 invalid_client).
    return basic ?? { id: '', secret: '' };
  }
  if (form.client_id === undefined && form.client_secret === undefined) return null;
  return { id: form.client_id ?? '', secret: form.client_secret ?? '' };
}
