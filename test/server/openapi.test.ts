import { Validator } from '@seriousme/openapi-schema-validator';
import type { Express } from 'express';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { rest } from '../support/rest';

/** The gateway's own routes (GraphQL, console, health, keys, discovery, this document): not vendor routes. */
const GATEWAY_ROUTES = new Set(['/', '/graphql', '/healthz', '/readyz', '/metrics', '/.well-known/jwks.json', '/openapi.json']);
const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'patch'];

interface Operation {
  security: Record<string, string[]>[];
  responses: Record<string, unknown>;
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
function registeredRoutes(): { path: string; methods: string[] }[] {
  const app = t.gateway.httpServer.listeners('request')[0] as Express;
  type Layer = { route?: { path: unknown; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const found: { path: string; methods: string[] }[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const { path, methods } = layer.route;
        if (typeof path === 'string' && !GATEWAY_ROUTES.has(path) && !path.startsWith('/console')) found.push({ path, methods: Object.keys(methods) });
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found;
}

const expressPath = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');
const operations = () =>
  Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, operation })));

test('the document is valid OpenAPI 3.1', async () => {
  expect(document.openapi).toMatch(/^3\.1\./);
  const result = await new Validator().validate(document as never);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  const ids = operations().map((o) => o.operation.operationId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const { path, method, operation } of operations()) expect(`${method} ${path}: ${operation.summary ?? ''}`).not.toMatch(/: $/);
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
    const documented = Object.keys(operation.responses);
    if (!documented.includes('default')) expect({ where, documented: documented.includes(String(response.status)) }).toEqual({ where, documented: true });
    // keygate's credential is checked before the route runs; HTTP Basic routes read their body first, as the vendor does.
    const credentialRequired = operation.security.length > 0 && operation.security.every((requirement) => 'bearer' in requirement || 'token' in requirement);
    if (credentialRequired) expect({ where, status: response.status }).toEqual({ where, status: 401 });
  }
});
