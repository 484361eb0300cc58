import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import type { Failure, RouteDeclaration } from '../plugins/route-kit';

/** The OpenAPI version written; its schemas are JSON Schema 2020-12, which zod writes. */
export const OPENAPI_VERSION = '3.1.1';

/** The methods an `ALL` route answers for, when the path declares no route of its own for them. */
const FALLBACK_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Failures every vendor shape renders, as examples of its error body (rendered by the shape itself). */
const EXAMPLE_FAILURES: Record<string, Failure> = {
  badInput: { status: 400, code: 'BAD_USER_INPUT', message: 'name is required.', details: { field: 'name' } },
  unauthenticated: { status: 401, code: 'UNAUTHENTICATED', message: 'Authentication required.', details: {} },
  forbidden: { status: 403, code: 'FORBIDDEN', message: 'Not allowed.', details: {} },
  notFound: { status: 404, code: 'NOT_FOUND', message: 'Not found.', details: {} },
  internal: { status: 500, code: 'INTERNAL', message: 'Internal server error', details: {} },
};

const SECURITY_SCHEMES = {
  bearer: { type: 'http', scheme: 'bearer', description: 'A credential keygate issued (any provider), or the operator token.' },
  token: { type: 'apiKey', in: 'header', name: 'TOKEN', description: 'The same credential in a `TOKEN` header, as Alation clients send it.' },
  basic: { type: 'http', scheme: 'basic', description: "A client's id and secret (OAuth clients, Talend service accounts)." },
} as const;

export interface OpenApiOptions {
  /** The gateway's version (package.json). */
  version: string;
  /** Where the routes are served (`KEYGATE_PUBLIC_URL` or the bound address). */
  serverUrl?: string;
}

/**
 * The OpenAPI 3.1 document of the vendor REST routes, built from their declarations (path, method,
 * summary, auth, request and response shapes, error shape): nothing about a route is written twice.
 */
export function openApiDocument(routes: readonly RouteDeclaration[], options: OpenApiOptions) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const item = (paths[openApiPath(route.path)] ??= {});
    const methods =
      route.method === 'ALL'
        ? FALLBACK_METHODS.filter((method) => !routes.some((other) => other.path === route.path && other.method.toLowerCase() === method))
        : [route.method.toLowerCase()];
    for (const method of methods) item[method] = operation(route, method);
  }
  const providers = [...new Set(routes.map((route) => route.provider))];
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'keygate vendor REST routes',
      version: options.version,
      description: "Each provider's REST face: the vendor's own paths, bodies, status codes and error shapes. GraphQL is at `/graphql` (its schema by introspection).",
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: providers.map((name) => ({ name })),
    paths,
    components: { securitySchemes: SECURITY_SCHEMES },
  };
}

/** Express's `/a/:id` as OpenAPI's `/a/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function operation(route: RouteDeclaration, method: string) {
  const { request } = route;
  const parameters = [
    ...[...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...Object.entries(request.query?.shape ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: !(schema as z.ZodType).safeParse(undefined).success,
      schema: jsonSchema(schema as z.ZodType, 'input'),
    })),
  ];
  const requestBody = request.json
    ? { required: true, content: { 'application/json': { schema: jsonSchema(request.json, 'input') } } }
    : request.form
      ? { required: true, content: { 'application/x-www-form-urlencoded': { schema: jsonSchema(request.form, 'input') } } }
      : undefined;
  const declared = Object.entries(route.responses);
  const successes = route.method === 'ALL' ? declared : declared.length ? declared : [['200', z.unknown()] as const];
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of successes) {
    responses[status] = {
      description: STATUS_CODES[Number(status)] ?? status,
      ...(route.secret ? { headers: { 'cache-control': { schema: { const: 'no-store' } } } } : {}),
      ...(schema ? { content: { 'application/json': { schema: jsonSchema(schema, 'output') } } } : {}),
    };
  }
  if (route.method !== 'ALL') {
    const examples = Object.fromEntries(Object.entries(EXAMPLE_FAILURES).map(([name, failure]) => [name, { value: route.errors.render(failure).body }]));
    const errorBody = { schema: route.errors.schema ? jsonSchema(route.errors.schema, 'output') : { type: 'object' }, examples };
    responses.default = { description: `A failure, in ${route.provider}'s error shape.`, content: { 'application/json': errorBody } };
  }
  return {
    tags: [route.provider],
    ...(route.summary ? { summary: route.summary } : {}),
    operationId: operationId(route, method),
    security: security(route),
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

/** Who may call: keygate's credential (required or optional), HTTP Basic client credentials, or nothing the gateway checks. */
function security(route: RouteDeclaration): Record<string, string[]>[] {
  const credential: Record<string, string[]>[] = [{ bearer: [] }, { token: [] }];
  if (route.auth === 'bearer') return credential;
  if (route.auth === 'optional') return [...credential, {}];
  if (route.basic === 'required') return [{ basic: [] }];
  if (route.basic === 'optional') return [{ basic: [] }, {}];
  return [];
}

function operationId(route: RouteDeclaration, method: string): string {
  const words = route.path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return [route.provider, method, ...words].map((word, i) => (i === 0 ? word : word[0]!.toUpperCase() + word.slice(1))).join('');
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}
