import { z } from 'zod';

/** Talend's request and response bodies, as the OpenAPI document shows them (the mapper writes them). */

const date = z.string().describe('ISO-8601');
export const permission = z.object({ id: z.string(), name: z.string() });
export const serviceAccountRequest = z.object({ name: z.string(), permissions: z.array(z.string()).optional() });
export const serviceAccountChange = serviceAccountRequest.partial();
export const serviceAccount = z.object({ id: z.string(), name: z.string(), permissions: z.array(z.string()), createdDate: date, lastModifiedDate: date });
export const issuedServiceAccount = serviceAccount.extend({ secret: z.string().describe('Shown this once') });
export const user = z.object({ id: z.string(), name: z.string(), permissions: z.array(z.string()), createdDate: date });
export const tokenRequest = z.object({ grant_type: z.literal('client_credentials'), audience: z.string().min(1).max(255).optional() });
export const tokenResponse = z.object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.int() });
export const personalTokenRequest = z.object({ name: z.string().optional(), userId: z.string().optional().describe("An administrator's: the user the token is for") });
export const personalToken = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  createdDate: date,
  lastUsedDate: date.nullable(),
  expirationDate: date.nullable(),
});
export const issuedPersonalToken = personalToken.extend({ token: z.string().describe('Shown this once') });
export const deletedTokens = z.object({ deleted: z.int(), ids: z.array(z.string()) });

export const talendError = z.looseObject({ status: z.int(), error: z.string(), message: z.string() });
