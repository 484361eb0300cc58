import { z } from 'zod';

/** Atlan's request and response bodies, as the OpenAPI document shows them (the mapper reads and writes them). */

export const listQuery = z.object({
  limit: z.string().regex(/^\d+$/).optional().describe('0 to 1000; 100 when left out'),
  offset: z.string().regex(/^\d+$/).optional(),
  sort: z.string().optional().describe('createdAt, displayName or clientId, "-" first for descending; -createdAt when left out'),
  filter: z.string().optional().describe('JSON: {"displayName": "…"}, {"clientId": "apikey-…"}, {"id": "…"}, or {"<field>": {"$ilike": "pattern"}}'),
  count: z.string().regex(/^(true|false|1|0)$/i).optional().describe('true or false in any case (True as pyatlan sends it), or 1 / 0'),
});
const fields = {
  displayName: z.string().min(1).max(255),
  description: z.string().max(4096).describe('Empty for none'),
  personaQualifiedNames: z.array(z.string()).optional(),
  personas: z.array(z.unknown()).optional().describe('Unused: send []'),
};
export const createApiTokenRequest = z.object({
  ...fields,
  validitySeconds: z.int().optional().describe('Seconds; negative or left out for 5 years, 409968000 for never'),
});
export const updateApiTokenRequest = z.object(fields);

/** One record shape on every route: the one pyatlan, atlan-java and atlan-go all parse. */
const personaLink = z.object({ id: z.uuid(), persona: z.string(), personaQualifiedName: z.string() });
export const apiToken = z.object({
  id: z.uuid(),
  clientId: z.string().nullable(),
  displayName: z.string(),
  attributes: z.looseObject({
    clientId: z.string().nullable(),
    displayName: z.string(),
    description: z.string(),
    createdAt: z.string().regex(/^\d+$/).describe('Epoch milliseconds, as decimal text (atlan-go reads a string)'),
    createdBy: z.string().nullable(),
    'access.token.lifespan': z.string().regex(/^\d+$/).nullable().describe('Seconds, as decimal text; null for never'),
    personas: z.array(z.never()).describe('Deprecated by Atlan: always empty'),
    personaQualifiedName: z.array(personaLink),
    workspacePermissions: z.array(z.string()),
  }),
});
export const issuedApiToken = apiToken.extend({ attributes: apiToken.shape.attributes.extend({ accessToken: z.string().describe('Shown this once') }) });
export const apiTokenPage = z.object({ totalRecord: z.int(), filterRecord: z.int(), records: z.array(apiToken) });
export const empty = z.object({});

export const createResourceRequest = z.object({ name: z.string().min(1).max(255), qualifiedName: z.string().min(1).max(512).optional() });
export const renameResourceRequest = z.object({ name: z.string().min(1).max(255) });
export const grantRequest = z
  .object({ apiToken: z.string(), clientId: z.string(), username: z.string() })
  .partial()
  .describe('Exactly one: an API token by its value or client id, or a user by name');
export const resource = z.object({
  guid: z.uuid(),
  typeName: z.string(),
  attributes: z.object({
    qualifiedName: z.string(),
    name: z.string(),
    createdBy: z.string(),
    createdAt: z.int(),
    adminUsers: z.array(z.string()),
    viewerUsers: z.array(z.string()),
  }),
});
export const resourcePolicies = z.object({
  guid: z.uuid(),
  qualifiedName: z.string(),
  records: z.array(z.object({ username: z.string(), kind: z.string(), level: z.string() })),
});

export const atlanError = z.object({ error: z.string(), code: z.string(), message: z.string() });

/** The caller, as `UserClient.get_current()` reads it; whoami adds its roles. */
export const currentUser = z.object({
  id: z.uuid(),
  username: z.string(),
  email: z.string().nullable(),
  emailVerified: z.boolean(),
  enabled: z.boolean(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  createdTimestamp: z.int(),
  attributes: z.object({}),
});
export const whoami = currentUser.extend({ roles: z.array(z.object({ name: z.string() })) });
