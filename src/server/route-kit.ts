import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import typeis from 'type-is';
import { actorLabel, isGatewayError, OPERATOR_PROVIDER, unauthenticated, type CoreServices, type Logger, type RequestContext } from '../core';
import type { ActRegistry } from '../plugins/acts';
import type { ErrorShape, Failure, RouteDeclaration, RouteHandler, RouteKit, RouteMethod, RouteOptions } from '../plugins/route-kit';
import { clientAddress, originOf, type ProxyTrust } from './client-address';
import type { BoundRoute, DirectRoutes, RouteInput } from './direct-routes';
import { markRoute, recordFailure } from './request-log';
import { currentScope } from './request-scope';
import { malformedText, refuseMalformedRequest, verifyUtf8 } from './well-formed';

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/** A route path as a pattern without parameters (nothing to decode), with or without its trailing slash. */
function undecodedPath(path: string): RegExp {
  const literal = path.replace(/\/+$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${literal.replace(/:\w+/g, '[^/]+')}/?$`);
}

/** What the edge gives the kit: how to find the caller, and where 5xx causes go. */
export interface RouteKitDeps {
  core: CoreServices;
  logger: Logger;
  maxBodyBytes: number;
  /** The edge's `trust proxy`, for the client address of a request Express did not see. */
  trust: ProxyTrust;
  /** Where static POST routes are also declared, to be served before Express. */
  direct?: DirectRoutes;
}

/** The request's Actor from its bearer credential, under the failure limiter (failures count per address). */
export async function bearerActor(core: CoreServices, headers: IncomingHttpHeaders, address: string) {
  return core.authFailures.attempt({ address }, () => core.credentials.resolveHeaders(headers));
}

/** A request's context on a face: its actor (per `auth`), audit origin and address. */
export async function contextOf(core: CoreServices, req: IncomingMessage, face: string, auth: 'bearer' | 'optional' | 'none', trust?: ProxyTrust): Promise<RequestContext> {
  const address = clientAddress(req, trust);
  const actor = auth === 'none' ? null : await bearerActor(core, req.headers, address);
  // The access log line says who called.
  const scope = currentScope();
  if (scope && actor) {
    scope.actor = actorLabel(actor);
    if (actor.provider !== OPERATOR_PROVIDER) scope.provider ??= actor.provider;
  }
  return { actor, origin: originOf(req, face, trust), address };
}

/** Turns anything thrown into what a vendor shape renders; unknown errors are masked (and logged by the caller). */
export function failureOf(error: unknown): Failure {
  if (isGatewayError(error)) return { status: error.httpStatus, code: error.code, message: error.message, details: error.details ?? {} };
  const parser = error as { type?: string; status?: number } | null;
  if (parser?.type === 'entity.too.large') return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large.', details: {} };
  if (parser?.type === 'entity.parse.failed') return { status: 400, code: 'BAD_REQUEST', message: 'Request body is not valid JSON.', details: {} };
  if (parser?.type && parser.status && parser.status < 500) return { status: 400, code: 'BAD_REQUEST', message: 'Request body could not be read.', details: {} };
  return { status: 500, code: 'INTERNAL', message: 'Internal server error', details: {} };
}

/**
 * The kit one provider's routes are declared on. It mounts each route on `router` with its own
 * body parsers and error handling, and keeps the declarations for `declared()`.
 */
export class ExpressRouteKit implements RouteKit {
  private readonly declarations: RouteDeclaration[] = [];
  /** Each route's path as a pattern, with the failure that answers in its error shape. */
  private readonly undecodable: { pattern: RegExp; fail: (req: Request, res: Response, error: unknown) => void }[] = [];

  constructor(
    private readonly provider: string,
    readonly acts: ActRegistry,
    private readonly router: Router,
    private readonly deps: RouteKitDeps,
  ) {}

  declared(): readonly RouteDeclaration[] {
    return this.declarations;
  }

  route(method: RouteMethod, path: string, handler: RouteHandler, options: RouteOptions): void {
    const auth = options.auth ?? 'bearer';
    const secret = options.secret ?? false;
    this.declarations.push({
      provider: this.provider,
      method,
      path,
      summary: options.summary ?? null,
      auth,
      secret,
      basic: options.basic ?? null,
      request: options.request ?? {},
      responses: options.responses ?? {},
      errors: options.errors,
    });
    const { core, maxBodyBytes, trust } = this.deps;
    const fail = (req: IncomingMessage, res: ServerResponse, error: unknown) => this.sendFailure(req, res, error, options.errors, secret);
    // On node's request and response only, so that Express and the direct binding run this same function.
    const serve = async (req: IncomingMessage, res: ServerResponse, input: RouteInput) => {
      try {
        refuseMalformedRequest({ params: input.params, query: input.query, body: input.body });
        const ctx = await contextOf(core, req, 'rest', auth, trust);
        if (auth === 'bearer' && !ctx.actor) throw unauthenticated();
        const raw = input.body;
        const reply = await handler({
          ctx,
          body: raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {},
          rawBody: raw,
          params: input.params,
          query: input.query,
          headers: req.headers,
          is: (type) => Boolean(typeis(req, [type])),
        });
        if (secret) setHeaders(res, NO_STORE);
        writeJson(res, reply.status ?? 200, reply.headers, reply.body);
      } catch (error) {
        fail(req, res, error);
      }
    };
    const run = (req: Request, res: Response) => serve(req, res, { body: req.body, params: req.params as Record<string, string>, query: req.query as Record<string, unknown> });
    const onParseError = (error: unknown, req: Request, res: Response, next: NextFunction) => (res.headersSent ? next(error) : fail(req, res, error));
    const parsers = [express.json({ limit: maxBodyBytes, verify: verifyUtf8 }), express.urlencoded({ extended: false, limit: maxBodyBytes, verify: verifyUtf8 })];
    const verb = method === 'ALL' ? 'all' : (method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete');
    const mark = (_req: Request, _res: Response, next: NextFunction) => (markRoute(this.provider, path), next());
    this.router[verb](path, mark, ...parsers, run, onParseError);
    const bound: BoundRoute = { provider: this.provider, template: path, serve, fail };
    this.deps.direct?.add(method, path, bound);
    this.undecodable.push({ pattern: undecodedPath(path), fail });
  }

  /**
   * A path parameter that does not decode (`%FF`, an encoded lone surrogate) fails in the router,
   * which then skips the route: answered by this handler instead, in the route's own error shape.
   * Mounted once after every route (one handler, not one per route: none of it runs on a good request).
   */
  mountPathErrors(): void {
    this.router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
      if (!(error instanceof URIError) || res.headersSent) return next(error);
      const route = this.undecodable.find(({ pattern }) => pattern.test(req.path));
      return route ? route.fail(req, res, malformedText('path')) : next(error);
    });
  }

  private sendFailure(req: IncomingMessage, res: ServerResponse, error: unknown, shape: ErrorShape, secret: boolean): void {
    const failure = failureOf(error);
    if (failure.status >= 500) recordFailure(res, error);
    if (res.headersSent) return void res.destroy();
    if (failure.code === 'UNAUTHENTICATED') this.deps.logger.info('authentication failed', { address: clientAddress(req, this.deps.trust) });
    const rendered = shape.render(failure);
    if (secret) setHeaders(res, NO_STORE);
    if (failure.code === 'RATE_LIMITED') res.setHeader('retry-after', String(failure.details.retryAfterSeconds ?? 60));
    writeJson(res, rendered.status ?? failure.status, rendered.headers, rendered.body);
  }
}

function setHeaders(res: ServerResponse, headers: Readonly<Record<string, string>>): void {
  for (const name in headers) res.setHeader(name, headers[name]);
}

/**
 * A JSON answer as Express's `res.json` writes it (its content type unless the route set one,
 * the length, no body where the status has none), on node's response.
 */
function writeJson(res: ServerResponse, status: number, headers: Readonly<Record<string, string>> | undefined, body: unknown): void {
  if (headers) setHeaders(res, headers);
  res.statusCode = status;
  if (body === undefined || status === 204 || status === 304) return void res.end();
  const text = JSON.stringify(body);
  if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}
