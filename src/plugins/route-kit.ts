import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { ErrorCode, RequestContext } from '../core';
import type { ActRegistry } from './acts';

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'ALL';

/** A failure as every vendor shape receives it: a typed error, an unreadable body, or a masked internal error. */
export interface Failure {
  status: number;
  code: ErrorCode | 'BAD_REQUEST' | 'PAYLOAD_TOO_LARGE' | 'INTERNAL';
  message: string;
  details: Record<string, unknown>;
}

/** How one vendor writes errors: declared once per vendor shape (`<vendor>.mapper.ts`). */
export interface ErrorShape {
  render(failure: Failure): { body: unknown; status?: number; headers?: Record<string, string> };
  /** The rendered body's shape, for the OpenAPI document. */
  schema?: z.ZodType;
}

/**
 * What a route reads, for the OpenAPI document (the kit does not validate with it: each vendor's
 * mapper checks its input and words its errors as the vendor does). Path parameters come from the path.
 */
export interface RouteRequestShape {
  /** A JSON body. */
  json?: z.ZodType;
  /** An `application/x-www-form-urlencoded` body. */
  form?: z.ZodObject;
  query?: z.ZodObject;
}

export interface RouteOptions {
  errors: ErrorShape;
  /** One line for the route list (and the OpenAPI document built from it). */
  summary?: string;
  /**
   * `bearer` (default): the caller's `Authorization: Bearer` / `TOKEN` credential is required.
   * `optional`: resolved when sent. `none`: the route authenticates by other means (a body
   * token, HTTP Basic) and gets an anonymous context.
   */
  auth?: 'bearer' | 'optional' | 'none';
  /** The response carries a secret: `Cache-Control: no-store` on every answer of this route. */
  secret?: boolean;
  /** With `auth: 'none'`: the route reads HTTP Basic client credentials, `required` or `optional` (the body may carry them instead). */
  basic?: 'required' | 'optional';
  request?: RouteRequestShape;
  /** The answers it gives when it succeeds, by status: the body's shape, or null for none. Unset: 200 with a JSON body. */
  responses?: Readonly<Record<number, z.ZodType | null>>;
}

export interface RouteRequest {
  /** The actor (per `auth`), the audit origin and the client address. */
  ctx: RequestContext;
  /** The parsed JSON or form body; `{}` when there is none or it is not an object. */
  body: Record<string, unknown>;
  /** The body as parsed, whatever it is (arrays, strings), for routes that check its form. */
  rawBody: unknown;
  params: Record<string, string>;
  query: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** Whether the request's content type is `type` (`application/json`, …). */
  is(type: string): boolean;
}

export interface RouteReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (req: RouteRequest) => Promise<RouteReply>;

/** A declared route, as data: what the kit mounts and lists. */
export interface RouteDeclaration {
  provider: string;
  method: RouteMethod;
  path: string;
  summary: string | null;
  auth: NonNullable<RouteOptions['auth']>;
  secret: boolean;
  basic: RouteOptions['basic'] | null;
  request: RouteRequestShape;
  responses: Readonly<Record<number, z.ZodType | null>>;
  errors: ErrorShape;
}

/**
 * What a provider's REST face gets: the acts (the same ones GraphQL calls, with the same
 * authorization and audit) and `route` to declare its routes. The kit owns everything around a
 * handler: actor resolution and the failure limiter, the client address, body parsing, the
 * vendor's error shape, `no-store` for secrets, and logging every 5xx with its cause.
 */
export interface RouteKit {
  readonly acts: ActRegistry;
  route(method: RouteMethod, path: string, handler: RouteHandler, options: RouteOptions): void;
}
