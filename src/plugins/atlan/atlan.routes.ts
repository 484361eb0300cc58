import type { Request, Response, Router } from 'express';
import { badInput, GatewayError, isUuid, type RequestContext } from '../../core';
import type { RouteKit } from '../provider';
import { looksLikeClientId, normalizeClientId, parseListQuery, readFields, toRecord, type ApiTokens } from './api-tokens';
import type { ResourceType, Resources } from './resources';

type Handler = (req: Request, res: Response, ctx: RequestContext) => Promise<void>;

/** Typed errors keep their status and message; anything else is a masked 500. */
function fail(res: Response, error: unknown) {
  if (error instanceof GatewayError) {
    res.status(error.httpStatus).json({ error: error.code.toLowerCase(), code: error.code, message: error.message });
  } else {
    res.status(500).json({ error: 'internal_server_error', code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
  }
}

/** Write routes take JSON objects only, as Atlan does. */
function jsonBody(req: Request): Record<string, unknown> {
  if (!req.is('application/json')) throw badInput('Send a JSON body with content-type: application/json.');
  if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw badInput('The request body must be a JSON object.');
  return req.body as Record<string, unknown>;
}

/** The GUID in an API token path; a client id there is refused with a message saying which is which. */
function tokenGuid(value: string, verb: string): string {
  if (isUuid(value)) return value;
  if (looksLikeClientId(value)) {
    const clientId = normalizeClientId(value);
    throw badInput(
      `"${value}" is the API token's client ID; ${verb} /api/service/apikeys/{guid} takes its GUID (the record's "id", like 98fb61da-eb8f-455e-b5ea-c022ee390044), ` +
        `which is not the client ID ("clientId", like apikey-…). Find the GUID with GET /api/service/apikeys?filter={"clientId":"${clientId}"}.`,
      { field: 'guid' },
    );
  }
  throw badInput(`"${value}" is not an API token GUID (the record's "id", like 98fb61da-eb8f-455e-b5ea-c022ee390044).`, { field: 'guid' });
}

/**
 * Atlan's REST face: the vendor's API token routes at its own paths, and keygate's routes for
 * connections and query collections (Atlan has no single REST call for these; see README.md).
 */
export function atlanRoutes(router: Router, kit: RouteKit, tokens: ApiTokens, resources: Resources) {
  const route = (handler: Handler) => async (req: Request, res: Response) => {
    try {
      await handler(req, res, await kit.context(req));
    } catch (error) {
      fail(res, error);
    }
  };
  const param = (req: Request, name: string) => String(req.params[name]);

  router.get(
    '/api/service/apikeys',
    route(async (req, res, ctx) => {
      res.json(await tokens.list(ctx, parseListQuery(req.query as Record<string, unknown>)));
    }),
  );

  router.post(
    '/api/service/apikeys',
    route(async (req, res, ctx) => {
      const body = jsonBody(req);
      const { account, secret } = await tokens.create(ctx, readFields(body, { descriptionRequired: true }), body.validitySeconds);
      res.set('cache-control', 'no-store');
      res.json(toRecord(account, await tokens.personasOf(account.id), { encodeLists: false, accessToken: secret }));
    }),
  );

  router.post(
    '/api/service/apikeys/:guid',
    route(async (req, res, ctx) => {
      const id = tokenGuid(param(req, 'guid'), 'POST');
      const body = jsonBody(req);
      if (body.validitySeconds !== undefined) throw badInput("validitySeconds is set when a token is created and cannot be changed; create a new token instead.", { field: 'validitySeconds' });
      const account = await tokens.update(ctx, id, readFields(body, { descriptionRequired: true }));
      res.json(toRecord(account, await tokens.personasOf(account.id), { encodeLists: false }));
    }),
  );

  router.delete(
    '/api/service/apikeys/:guid',
    route(async (req, res, ctx) => {
      await tokens.delete(ctx, tokenGuid(param(req, 'guid'), 'DELETE'));
      res.json({});
    }),
  );

  for (const [plural, type] of [
    ['connections', 'connection'],
    ['collections', 'collection'],
  ] as [string, ResourceType][]) {
    router.post(
      `/api/atlan/${plural}`,
      route(async (req, res, ctx) => void res.status(201).json(await resources.create(ctx, type, jsonBody(req)))),
    );
    router.get(
      `/api/atlan/${plural}/:guid`,
      route(async (req, res, ctx) => void res.json(await resources.get(ctx, type, param(req, 'guid')))),
    );
    router.get(
      `/api/atlan/${plural}/:guid/policies`,
      route(async (req, res, ctx) => void res.json(await resources.policies(ctx, type, param(req, 'guid')))),
    );
    router.patch(
      `/api/atlan/${plural}/:guid`,
      route(async (req, res, ctx) => void res.json(await resources.rename(ctx, type, param(req, 'guid'), jsonBody(req)))),
    );
    router.post(
      `/api/atlan/${plural}/:guid/:level`,
      route(async (req, res, ctx) => void res.json(await resources.grant(ctx, type, param(req, 'guid'), param(req, 'level'), jsonBody(req)))),
    );
  }
}
