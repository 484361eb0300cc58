import { z } from 'zod';

/** Alation's request and response bodies, as the OpenAPI document shows them (the mapper reads and writes them). */

const userId = z.union([z.int().min(1), z.string().regex(/^\d{1,15}$/)]).describe("The owner's integer user_id");
/** Alation's timestamps: ISO-8601 UTC with microseconds, `2022-11-15T21:52:48.116496Z`. */
const time = z.string().describe('ISO-8601 UTC with microseconds');
const status = z.enum(['ACTIVE', 'EXPIRED', 'REVOKED']);

export const credentialsRequest = z.object({ username: z.string().max(255), password: z.string().max(1024), name: z.string().max(255) });
export const refreshTokenRequest = z.object({ refresh_token: z.string().max(4096), user_id: userId });
export const accessTokenRequest = z.object({ api_access_token: z.string().max(4096), user_id: userId });
export const userRequest = z.object({ user_id: userId });
export const optionalUserRequest = z.object({ user_id: userId.optional().describe("Another user's user_id; the caller's own when left out") });

export const refreshTokenBody = z.object({
  user_id: z.int(),
  created_at: time,
  name: z.string(),
  token_expires_at: time.nullable(),
  token_status: status,
  last_used_at: time.nullable(),
});
export const issuedRefreshToken = refreshTokenBody.extend({ refresh_token: z.string().describe('Shown this once') });
export const accessTokenBody = z.object({ user_id: z.int(), created_at: time, token_expires_at: time.nullable(), token_status: status });
export const issuedAccessToken = accessTokenBody.extend({ api_access_token: z.string().describe('Shown this once') });
export const validatedAccessToken = accessTokenBody.extend({ last_used_at: time.nullable() });
export const detail = z.object({ detail: z.string() });
export const refreshTokenList = z.object({
  user_id: z.int(),
  refresh_tokens: z.array(refreshTokenBody.extend({ api_access_token_status: status.nullable() })),
});
export const revokedUserTokens = detail.extend({ revoked: z.int() });

export const alationError = z.object({
  detail: z.string(),
  code: z.string().describe('The HTTP status followed by 000'),
  title: z.string().optional(),
  errors: z.array(z.object({ field: z.string().nullable(), message: z.string() })).optional(),
});
