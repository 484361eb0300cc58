import { z } from 'zod';

/** Atlan's request and response bodies, as the OpenAPI document shows them (the mapper reads and writes them). */

export const listQuery = z.object({
  limit: z.string().regex(/^\d+$/).optional().describe('0 to 1000; 100 when left out'),
  offset: z.string().regex(/^\d+$/).optional(),
  sort: z.string().optional().describe('createdAt, displayName or clientId, "-" first for descending; -createdAt when left out'),
  filter: z.string().optional().describe('JSON: {"displayName": "…"}, {"clientId": "apikey-…"}, {"id": "…"}, or {"<field>": {"$ilike": "pattern"}}'),
  count: z.enum(['true', 'false']).optional(),
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

const apiTokenRecord = (lists: z.ZodType) =>
  z.object({
    id: z.uuid(),
    clientId: z.string().nullable(),
    displayName: z.string(),
    attributes: z.looseObject({
      clientId: z.string().nullable(),
      displayName: z.string(),
      description: z.string(),
      createdAt: z.int().describe('Epoch milliseconds'),
      createdBy: z.string().nullable(),
      'access.token.lifespan': z.int().nullable(),
      personas: lists,
      personaQualifiedName: lists,
      workspacePermissions: lists,
    }),
  });
export const apiToken = apiTokenRecord(z.array(z.unknown()));
export const issuedApiToken = apiToken.extend({ attributes: apiToken.shape.attributes.extend({ accessToken: z.string().describe('Shown this once') }) });
export const apiTokenPage = z.object({
  totalRecord: z.int(),
  filterRecord: z.int(),
  records: z.array(apiTokenRecord(z.string().describe('A JSON-encoded list, as the vendor lists them'))),
});
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
