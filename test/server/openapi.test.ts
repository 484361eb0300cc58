import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { basic, createOAuthClient, createUser, form } from '../plugins/alation/alation-support';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { rest, type RestResponse } from '../support/rest';

/** The gateway's own routes (GraphQL, console, health, keys, discovery, this document): not vendor routes. */
const GATEWAY_ROUTES = new Set(['/', '/graphql', '/healthz', '/readyz', '/metrics', '/.well-known/jwks.json', '/openapi.json']);
const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'patch'];

interface Operation {
  security: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
  operationId: string;
  summary?: string;
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

let t: TestGateway;
let document: Document;
beforeAll(async () => {
  t = await startTestGateway();
  const response = await rest(t.url, 'GET', '/openapi.json');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  document = response.body;
});
afterAll(() => t.close());

/** What Express really routes, read from the running app's router (not from the declarations). */
function registeredRoutes(options: { vendor: boolean } = { vendor: true }): { path: string; methods: string[] }[] {
  const app = t.gateway.app;
  type Layer = { route?: { path: unknown; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const found: { path: string; methods: string[] }[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const { path, methods } = layer.route;
        const own = typeof path !== 'string' || GATEWAY_ROUTES.has(path) || path.startsWith('/console');
        for (const one of [path].flat()) if (typeof one === 'string' && own !== options.vendor) found.push({ path: one, methods: Object.keys(methods) });
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found;
}

const expressPath = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');

const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
/** Why an answer does not fit what the document says of its operation and status (null when it fits). */
function misfit(method: string, path: string, response: RestResponse): string | null {
  const template = Object.keys(document.paths).find((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path.split('?')[0]!));
  const operation = template && document.paths[template]![method.toLowerCase()];
  if (!operation) return `${method} ${path} is not documented`;
  const answer = operation.responses[String(response.status)] ?? operation.responses.default;
  if (!answer) return `${method} ${path} → ${response.status} is not documented`;
  const schema = answer.content?.['application/json']?.schema;
  if (!schema) return response.raw === '' ? null : `${method} ${path} → ${response.status} has a body the document does not declare`;
  const validate = ajv.compile(schema);
  return validate(response.body) ? null : `${method} ${path} → ${response.status}: ${ajv.errorsText(validate.errors)}`;
}
const operations = () =>
  Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, operation })));

test('the document is valid OpenAPI 3.1', async () => {
  expect(document.openapi).toMatch(/^3\.1\./);
  const result = await new Validator().validate(document as never);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  const ids = operations().map((o) => o.operation.operationId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const { path, method, operation } of operations()) {
    expect(`${method} ${path}: ${operation.summary ?? ''}`).not.toMatch(/: $/);
    // Every route declares what it answers: a shape per success status (none for 204), or only a 405.
    const successes = Object.entries(operation.responses).filter(([status]) => /^2/.test(status));
    const shapes = successes.map(([status, answer]) => (status === '204' ? 'none' : JSON.stringify(answer.content?.['application/json']?.schema ?? null)));
    expect({ at: `${method} ${path}`, declared: successes.length > 0 || '405' in operation.responses, untyped: shapes.filter((shape) => shape === '{}' || shape === 'null') }).toEqual({
      at: `${method} ${path}`,
      declared: true,
      untyped: [],
    });
  }
});

test('every vendor route Express registers is in the document, and nothing else', () => {
  const registered = registeredRoutes();
  expect(registered.length).toBeGreaterThan(40);
  const expected = new Set<string>();
  for (const { path, methods } of registered) {
    if (!methods.includes('_all')) for (const method of methods) expected.add(`${method} ${path}`);
  }
  // An `all` route (405 for the methods a protocol endpoint does not take) stands for the methods its path has no route for.
  for (const { path, methods } of registered) {
    if (methods.includes('_all')) for (const method of OPERATION_METHODS) if (!expected.has(`${method} ${path}`)) expected.add(`${method} ${path}`);
  }
  const documented = operations().map(({ path, method }) => `${method} ${expressPath(path)}`);
  expect(documented.sort()).toEqual([...expected].sort());
});

test('each documented operation answers at its path; one that requires a credential refuses a caller without one', async () => {
  for (const { path, method, operation } of operations()) {
    const concrete = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
    const response = await rest(t.url, method.toUpperCase(), concrete, method === 'get' || method === 'delete' ? {} : { body: {} });
    const where = `${method.toUpperCase()} ${path} → ${response.status} ${response.raw.slice(0, 120)}`;
    // The gateway's own 404 is for paths no route has; a vendor's 404 (no such record) has its vendor's shape.
    expect({ where, fallback: response.body?.message === 'No such route.' }).toEqual({ where, fallback: false });
    expect({ where, ok: response.status < 500 }).toEqual({ where, ok: true });
    expect(misfit(method, concrete, response)).toBeNull();
    const documented = Object.keys(operation.responses);
    if (!documented.includes('default')) expect({ where, documented: documented.includes(String(response.status)) }).toEqual({ where, documented: true });
    // keygate's credential is checked before the route runs; HTTP Basic routes read their body first, as the vendor does.
    const credentialRequired = operation.security.length > 0 && operation.security.every((requirement) => 'bearer' in requirement || 'token' in requirement);
    if (credentialRequired) expect({ where, status: response.status }).toEqual({ where, status: 401 });
  }
});

test("the vendors' real answers fit the documented shapes, successes and failures alike", async () => {
  const answers: [string, string, RestResponse][] = [];
  const call = async (method: string, path: string, options: Parameters<typeof rest>[3] = {}) => {
    const response = await rest(t.url, method, path, options);
    answers.push([method, path, response]);
    return response;
  };
  const operator = { token: OPERATOR_TOKEN };

  // Talend: a service account's whole life, its token exchange, the user lists.
  await call('GET', '/account/service-accounts/permissions', operator);
  const account = (await call('POST', '/account/service-accounts', { ...operator, body: { name: 'openapi-sa', permissions: ['TMC_USER_MANAGEMENT'] } })).body;
  await call('GET', '/account/service-accounts', operator);
  await call('PUT', `/account/service-accounts/${account.id}`, { ...operator, body: { name: 'openapi-sa-2' } });
  await call('GET', `/account/service-accounts/${account.id}`, operator);
  await call('POST', '/security/oauth/token', { headers: { authorization: basic(account.id, account.secret) }, body: { grant_type: 'client_credentials' } });
  await call('POST', '/security/oauth/token', { headers: { authorization: basic(account.id, 'wrong') }, body: { grant_type: 'client_credentials' } });
  await call('GET', '/account/users', operator);
  await call('DELETE', `/account/service-accounts/${account.id}`, operator);

  // Atlan: an API token created, listed, changed and deleted.
  const token = (await call('POST', '/api/service/apikeys', { ...operator, body: { displayName: 'openapi', description: '' } })).body;
  await call('GET', '/api/service/apikeys?limit=5', operator);
  await call('GET', '/api/service/apikeys?limit=x', operator);
  await call('POST', `/api/service/apikeys/${token.id}`, { ...operator, body: { displayName: 'openapi-2', description: 'd' } });
  await call('DELETE', `/api/service/apikeys/${token.id}`, operator);

  // Alation: a password user's refresh and access tokens by the vendor's routes, then keygate's.
  const user = await createUser(t.url, 'openapi-user', 'STEWARD', 'openapi-password-1');
  const refresh = (await call('POST', '/integration/v1/createRefreshToken', { body: { username: 'openapi-user', password: 'openapi-password-1', name: 'cli' } })).body;
  const byRefresh = { body: { refresh_token: refresh.refresh_token, user_id: user.userId } };
  const access = (await call('POST', '/integration/v1/createAPIAccessToken', byRefresh)).body;
  await call('POST', '/integration/v1/validateRefreshToken', byRefresh);
  await call('POST', '/integration/v1/validateAPIAccessToken', { body: { api_access_token: access.api_access_token, user_id: user.userId } });
  await call('POST', '/integration/v1/validateAPIAccessToken', { body: { user_id: 'x' } });
  await call('POST', '/keygate/alation/listRefreshTokens', { ...operator, body: { user_id: user.userId } });
  await call('POST', '/integration/v1/revokeAPIAccessTokens', byRefresh);
  const regenerated = (await call('POST', '/integration/v1/regenRefreshToken', byRefresh)).body;
  await call('POST', '/keygate/alation/revokeUserTokens', { ...operator, body: { user_id: regenerated.user_id } });

  // Alation OAuth: a client's token introspected and revoked; the key set.
  const client = await createOAuthClient(t.url, 'VIEWER');
  const issue = await form(t.url, '/oauth/v2/token', { grant_type: 'client_credentials' }, { authorization: basic(client.clientId, client.clientSecret) });
  answers.push(['POST', '/oauth/v2/token', issue]);
  const byClient = { authorization: basic(client.clientId, client.clientSecret) };
  answers.push(['POST', '/oauth/v2/introspect', await form(t.url, '/oauth/v2/introspect', { token: issue.body.access_token }, byClient)]);
  answers.push(['POST', '/oauth/v2/revoke', await form(t.url, '/oauth/v2/revoke', { token: issue.body.access_token }, byClient)]);
  answers.push(['POST', '/oauth/v2/introspect', await form(t.url, '/oauth/v2/introspect', { token: issue.body.access_token }, byClient)]);
  await call('GET', '/oauth/v2/.well-known/jwks.json');
  await call('POST', `/oauth/v2/clients/${client.clientId}/secret`, operator);
  await call('POST', `/oauth/v2/clients/${client.clientId}/secret`, { ...operator, body: { overlap_seconds: 60 } });
  await call('POST', `/oauth/v2/clients/${client.clientId}/revoke-tokens`, operator);

  // The example vendor.
  await call('GET', '/example/whoami', operator);

  const statuses = answers.map(([, , response]) => response.status);
  expect(statuses.filter((status) => status < 300).length).toBeGreaterThan(25);
  expect(answers.map(([method, path, response]) => misfit(method, path, response)).filter(Boolean)).toEqual([]);
});

test("the README's Endpoints table names the gateway's own routes, and each path it names answers", async () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf('## Endpoints');
  const rows = readme.slice(start, readme.indexOf('\n## ', start + 5)).split('\n').filter((line) => line.startsWith('| `'));
  const named = rows.flatMap((row) => [...row.matchAll(/`(?:[A-Z/]+ )?(\/[^`\s]*)`/g)].map((m) => m[1]!));
  const own = registeredRoutes({ vendor: false }).map((r) => r.path);
  expect(own).toEqual(expect.arrayContaining(['/graphql', '/healthz', '/readyz', '/metrics', '/openapi.json']));
  for (const path of own) expect({ path, named: named.some((n) => path === n || path.startsWith(`${n}/`)) }).toEqual({ path, named: true });
  for (const path of named.filter((n) => !n.includes('<'))) {
    // As a browser asks: `/` redirects browsers only.
    const response = await rest(t.url, 'GET', path, { headers: { accept: 'text/html' } });
    expect({ path, fallback: response.body?.message === 'No such route.' }).toEqual({ path, fallback: false });
  }
});
