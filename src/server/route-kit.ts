import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { actorLabel, isGatewayError, OPERATOR_PROVIDER, unauthenticated, type CoreServices, type Logger, type RequestContext } from '../core';
import type { ActRegistry } from '../plugins/acts';
import type { ErrorShape, Failure, RouteDeclaration, RouteHandler, RouteKit, RouteMethod, RouteOptions } from '../plugins/route-kit';
import { clientAddress, originOf, type ProxyTrust } from './client-address';
import { routePattern, writeJson, type DirectRoutes, type RouteInput } from './direct-routes';
import { typeis } from './express-parts';
import { markRoute, recordFailure } from './request-log';
import { currentScope } from './request-scope';
import { malformedText, refuseMalformedRequest, verifyUtf8 } from './well-formed';

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/** What the edge gives the kit: how to find the caller, and where 5xx causes go. */
export interface RouteKitDeps {
  core: CoreServices;
  logger: Logger;
  maxBodyBytes: number;
  /** The edge's `trust proxy`, for the client address of a request Express did not see. */
  trust: ProxyTrust;
  /** Where static POST routes are also declared, to be served before Express. */
  direct: DirectRoutes;
}

/** The request's Actor from its bearer credential, under the failure limiter (failures count per address). */
export async function bearerActor(core: CoreServices, headers: IncomingHttpHeaders, address: string) {
  return core.authFailures.attempt({ address }, () => core.credentials.resolveHeaders(headers));
}

/** A request's context on a face: its actor (per `auth`), audit origin and address. */
export async function contextOf(core: CoreServices, req: IncomingMessage, face: string, auth: 'bearer' | 'optional' | 'none', trust: ProxyTrust): Promise<RequestContext> {
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
    // The handler on node's request and response, once per binding: each writes answers its own way.
    const bind = (write: ReplyWriter) => {
      const fail = (req: IncomingMessage, res: ServerResponse, error: unknown) => this.sendFailure(req, res, error, options.errors, secret, write);
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
          write(res, reply.status ?? 200, reply.headers, reply.body);
        } catch (error) {
          fail(req, res, error);
        }
      };
      return { serve, fail };
    };
    const viaExpress = bind(expressReply);
    const fail = viaExpress.fail;
    const run = (req: Request, res: Response) => viaExpress.serve(req, res, { body: req.body, params: req.params as Record<string, string>, query: req.query as Record<string, unknown> });
    const onParseError = (error: unknown, req: Request, res: Response, next: NextFunction) => (res.headersSent ? next(error) : fail(req, res, error));
    const parsers = [express.json({ limit: maxBodyBytes, verify: verifyUtf8 }), express.urlencoded({ extended: false, limit: maxBodyBytes, verify: verifyUtf8 })];
    const verb = method === 'ALL' ? 'all' : (method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete');
    const mark = (_req: Request, _res: Response, next: NextFunction) => (markRoute(this.provider, path), next());
    this.router[verb](path, mark, ...parsers, run, onParseError);
    this.deps.direct.add(method, path, { provider: this.provider, template: path, ...bind(writeJson) });
    this.undecodable.push({ pattern: routePattern(path), fail });
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

  private sendFailure(req: IncomingMessage, res: ServerResponse, error: unknown, shape: ErrorShape, secret: boolean, write: ReplyWriter): void {
    const failure = failureOf(error);
    if (failure.status >= 500) recordFailure(res, error);
    if (res.headersSent) return void res.destroy();
    if (failure.code === 'UNAUTHENTICATED') this.deps.logger.info('authentication failed', { address: clientAddress(req, this.deps.trust) });
    const rendered = shape.render(failure);
    if (secret) setHeaders(res, NO_STORE);
    if (failure.code === 'RATE_LIMITED') res.setHeader('retry-after', String(failure.details.retryAfterSeconds ?? 60));
    write(res, rendered.status ?? failure.status, rendered.headers, rendered.body);
  }
}

function setHeaders(res: ServerResponse, headers: Readonly<Record<string, string>>): void {
  for (const name in headers) res.setHeader(name, headers[name]);
}

/** How a binding writes an answer: its status, the route's headers, a JSON body or none. */
type ReplyWriter = (res: ServerResponse, status: number, headers: Readonly<Record<string, string>> | undefined, body: unknown) => void;

/** Express's own `res.set`, `res.status` and `res.json` (freshness, charset and all), on the Express binding. */
const expressReply: ReplyWriter = (res, status, headers, body) => {
  const response = res as Response;
  if (headers) response.set(headers);
  response.status(status);
  if (body === undefined) response.end();
  else response.json(body);
};
