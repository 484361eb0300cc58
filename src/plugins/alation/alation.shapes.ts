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
export const validatedAccessTokenEcho = validatedAccessToken.extend({ api_access_token: z.string().describe('The token sent, echoed') });
export const detail = z.object({ detail: z.string() });
/** A user as `/integration/v1/user/` writes it; v2 adds `last_login` and `ts_created`. */
export const userV1 = z.object({
  id: z.int(),
  username: z.string(),
  email: z.string(),
  display_name: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  role: z.string().nullable(),
  title: z.string(),
  profile_id: z.int(),
  url: z.string(),
});
export const user = userV1.extend({ last_login: time.nullable(), ts_created: time });
const repeated = z.union([z.string(), z.array(z.string())]).optional();
export const userQuery = z.object({
  id: repeated,
  profile_id: repeated,
  display_name: repeated,
  display_name__contains: repeated,
  display_name__icontains: repeated,
  email: repeated,
  email__contains: repeated,
  email__icontains: repeated,
  limit: z.string().optional().describe('At most 1000; default 100'),
  skip: z.string().optional(),
});
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
