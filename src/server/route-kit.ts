import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { actorLabel, isGatewayError, OPERATOR_PROVIDER, unauthenticated, type CoreServices, type Logger, type RequestContext } from '../core';
import type { ActRegistry } from '../plugins/acts';
import type { ErrorShape, Failure, RouteDeclaration, RouteHandler, RouteKit, RouteMethod, RouteOptions } from '../plugins/route-kit';
import { clientAddress, originOf } from './client-address';
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
}

/** The request's Actor from its bearer credential, under the failure limiter (failures count per address). */
export async function bearerActor(core: CoreServices, headers: Request['headers'], address: string) {
  return core.authFailures.attempt({ address }, () => core.credentials.resolveHeaders(headers));
}

/** A request's context on a face: its actor (per `auth`), audit origin and address. */
export async function contextOf(core: CoreServices, req: Request, face: string, auth: 'bearer' | 'optional' | 'none'): Promise<RequestContext> {
  const address = clientAddress(req);
  const actor = auth === 'none' ? null : await bearerActor(core, req.headers, address);
  // The access log line says who called.
  const scope = currentScope();
  if (scope && actor) {
    scope.actor = actorLabel(actor);
    if (actor.provider !== OPERATOR_PROVIDER) scope.provider ??= actor.provider;
  }
  return { actor, origin: originOf(req, face), address };
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
    const { core, maxBodyBytes } = this.deps;
    const fail = (req: Request, res: Response, error: unknown) => this.sendFailure(req, res, error, options.errors, secret);
    const run = async (req: Request, res: Response) => {
      try {
        refuseMalformedRequest({ params: req.params, query: req.query, body: req.body });
        const ctx = await contextOf(core, req, 'rest', auth);
        if (auth === 'bearer' && !ctx.actor) throw unauthenticated();
        const raw: unknown = req.body;
        const reply = await handler({
          ctx,
          body: raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {},
          rawBody: raw,
          params: req.params as Record<string, string>,
          query: req.query as Record<string, unknown>,
          headers: req.headers,
          is: (type) => Boolean(req.is(type)),
        });
        if (secret) res.set(NO_STORE);
        if (reply.headers) res.set(reply.headers);
        res.status(reply.status ?? 200);
        if (reply.body === undefined) res.end();
        else res.json(reply.body);
      } catch (error) {
        fail(req, res, error);
      }
    };
    const onParseError = (error: unknown, req: Request, res: Response, next: NextFunction) => (res.headersSent ? next(error) : fail(req, res, error));
    const parsers = [express.json({ limit: maxBodyBytes, verify: verifyUtf8 }), express.urlencoded({ extended: false, limit: maxBodyBytes, verify: verifyUtf8 })];
    const verb = method === 'ALL' ? 'all' : (method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete');
    const mark = (_req: Request, _res: Response, next: NextFunction) => (markRoute(this.provider, path), next());
    this.router[verb](path, mark, ...parsers, run, onParseError);
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

  private sendFailure(req: Request, res: Response, error: unknown, shape: ErrorShape, secret: boolean): void {
    const failure = failureOf(error);
    if (failure.status >= 500) recordFailure(res, error);
    if (failure.code === 'UNAUTHENTICATED') this.deps.logger.info('authentication failed', { address: clientAddress(req) });
    const rendered = shape.render(failure);
    if (secret) res.set(NO_STORE);
    if (failure.code === 'RATE_LIMITED') res.set('retry-after', String(failure.details.retryAfterSeconds ?? 60));
    if (rendered.headers) res.set(rendered.headers);
    res.status(rendered.status ?? failure.status).json(rendered.body);
  }
}
