import { z } from 'zod';

/** The OAuth endpoints' forms and answers, as the OpenAPI document shows them. */

const clientCredentials = {
  client_id: z.string().optional().describe('With client_secret, instead of HTTP Basic'),
  client_secret: z.string().optional(),
};
export const tokenForm = z.object({ grant_type: z.literal('client_credentials'), ...clientCredentials });
export const tokenForForm = z.object({ token: z.string(), ...clientCredentials });

export const tokenResponse = z.object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.int() });
export const introspection = z.object({
  active: z.boolean(),
  client_id: z.string().optional(),
  sub: z.string().optional(),
  exp: z.int().optional(),
  iat: z.int().optional(),
  iss: z.string().optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
  jti: z.string().optional(),
  token_type: z.literal('Bearer').optional(),
});
export const empty = z.object({});
export const keySet = z.object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().optional() })) });
export const clientSecret = z.object({
  client_id: z.string(),
  client_secret: z.string().describe('Shown this once'),
  previous_secret_expires_at: z.string().nullable().describe('Until then the previous secret still works (ISO 8601); null without an overlap'),
});
export const secretRotation = z.object({ overlap_seconds: z.int().min(0).max(86_400).optional().describe('How long the previous secret keeps working (at most 24 hours)') });
export const revokedClientTokens = z.object({ client_id: z.string(), revoked: z.int() });

/** RFC 6749 §5.2. */
export const oauthError = z.object({ error: z.string(), error_description: z.string() });
