import { badInput } from '../../core';
import type { RouteKit, RouteRequest } from '../route-kit';
import { atlanErrors, jsonBody, parseListQuery, readFields, tokenGuid, toRecord } from './atlan.mapper';
import { ATLAN_KINDS } from './atlan.policy';
import type { AtlanResources, AtlanService, GrantSubject, ResourceType } from './atlan.service';
import * as shapes from './atlan.shapes';

const API_TOKEN = { kind: ATLAN_KINDS.apiToken, label: 'API token' };

/**
 * Atlan's REST face: the vendor's API token routes at its own paths (the acts GraphQL calls), and
 * keygate's routes for connections and query collections (Atlan has no single REST call for these).
 */
export function atlanRoutes(kit: RouteKit, atlan: AtlanService, resources: AtlanResources) {
  const { acts } = kit;
  const options = { errors: atlanErrors, auth: 'optional' as const };
  const param = (req: RouteRequest, name: string) => String(req.params[name]);
  const personasOf = async (id: string) => (await atlan.personasOf([id])).get(id) ?? [];

  kit.route(
    'GET',
    '/api/service/apikeys',
    async (req) => {
      const page = await acts.listServiceAccounts(req.ctx, parseListQuery(req.query));
      const personas = await atlan.personasOf(page.nodes.map((r) => r.id));
      return { body: { totalRecord: page.totalCount, filterRecord: page.filteredCount, records: page.nodes.map((r) => toRecord(r, personas.get(r.id) ?? [], { encodeLists: true })) } };
    },
    { ...options, summary: 'List API tokens (filter, sort, offset paging)', request: { query: shapes.listQuery }, responses: { 200: shapes.apiTokenPage } },
  );
  kit.route(
    'POST',
    '/api/service/apikeys',
    async (req) => {
      const body = jsonBody(req);
      const fields = readFields(body, { descriptionRequired: true });
      const issued = await acts.createServiceAccount(req.ctx, 'atlan', { ...fields, validitySeconds: body.validitySeconds as number });
      return { body: toRecord(issued.record, await personasOf(issued.record.id), { encodeLists: false, accessToken: issued.secret! }) };
    },
    { ...options, secret: true, summary: 'Create an API token (its value shown once)', request: { json: shapes.createApiTokenRequest }, responses: { 200: shapes.issuedApiToken } },
  );
  kit.route(
    'POST',
    '/api/service/apikeys/:guid',
    async (req) => {
      const id = tokenGuid(param(req, 'guid'), 'POST');
      const body = jsonBody(req);
      if (body.validitySeconds !== undefined) throw badInput('validitySeconds is set when a token is created and cannot be changed; create a new token instead.', { field: 'validitySeconds' });
      const account = await acts.updateServiceAccount(req.ctx, id, readFields(body, { descriptionRequired: true }), API_TOKEN);
      return { body: toRecord(account, await personasOf(account.id), { encodeLists: false }) };
    },
    { ...options, summary: 'Change an API token (display name, description, personas)', request: { json: shapes.updateApiTokenRequest }, responses: { 200: shapes.apiToken } },
  );
  kit.route(
    'DELETE',
    '/api/service/apikeys/:guid',
    async (req) => {
      await acts.deleteServiceAccount(req.ctx, tokenGuid(param(req, 'guid'), 'DELETE'), API_TOKEN);
      return { body: {} };
    },
    { ...options, summary: 'Delete an API token', responses: { 200: shapes.empty } },
  );

  for (const [plural, type] of [
    ['connections', 'connection'],
    ['collections', 'collection'],
  ] as [string, ResourceType][]) {
    kit.route('POST', `/api/atlan/${plural}`, async (req) => ({ status: 201, body: await resources.create(req.ctx, type, jsonBody(req)) }), { ...options, summary: `Create a ${type}`, request: { json: shapes.createResourceRequest }, responses: { 201: shapes.resource } });
    kit.route('GET', `/api/atlan/${plural}/:guid`, async (req) => ({ body: await resources.get(req.ctx, type, param(req, 'guid')) }), { ...options, summary: `Read a ${type}`, responses: { 200: shapes.resource } });
    kit.route('GET', `/api/atlan/${plural}/:guid/policies`, async (req) => ({ body: await resources.policies(req.ctx, type, param(req, 'guid')) }), { ...options, summary: `Who holds which standing on a ${type}`, responses: { 200: shapes.resourcePolicies } });
    kit.route('PATCH', `/api/atlan/${plural}/:guid`, async (req) => ({ body: await resources.rename(req.ctx, type, param(req, 'guid'), jsonBody(req)) }), { ...options, summary: `Rename a ${type}`, request: { json: shapes.renameResourceRequest }, responses: { 200: shapes.resource } });
    kit.route(
      'POST',
      `/api/atlan/${plural}/:guid/:level`,
      async (req) => ({ body: await resources.grant(req.ctx, type, param(req, 'guid'), param(req, 'level'), jsonBody(req) as GrantSubject) }),
      { ...options, summary: `Add a principal to a ${type}`, request: { json: shapes.grantRequest }, responses: { 200: shapes.resource } },
    );
  }
}
