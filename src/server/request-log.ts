import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import pino from 'pino';
import { pinoHttp, type Options } from 'pino-http';
import { pinoOf, type Logger } from './logger';
import type { GatewayMetrics } from './metrics';
import { currentScope, requestIdFrom, runInScope, type RequestScope } from './request-scope';

const SCOPE = Symbol('keygate.scope');
type Scoped = IncomingMessage & { [SCOPE]?: RequestScope; route?: { path?: unknown }; baseUrl?: string };

function faceOf(path: string): string {
  if (path === '/graphql' || path.startsWith('/graphql?')) return 'graphql';
  if (path === '/healthz' || path === '/readyz' || path === '/metrics') return 'health';
  return 'rest';
}

/** The route template of a finished request: what a router matched, never the raw path. */
function routeOf(req: Scoped, scope: RequestScope): string {
  if (scope.route) return scope.route;
  if (req.route && typeof req.route.path === 'string') return `${req.baseUrl ?? ''}${req.route.path}`;
  return 'unmatched';
}

/**
 * The first middleware: a request id (the caller's `x-request-id` when sane, else new) on the
 * response and in a request scope, one access-log line when the response ends (method, route,
 * status, duration, requestId, actor, provider, operation; 5xx at error level with the cause),
 * and the HTTP metrics.
 */
export function requestLog(logger: Logger, metrics: GatewayMetrics) {
  const options: Options = {
    logger: pinoOf(logger) ?? pino({ level: 'silent' }),
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = requestIdFrom(req.headers['x-request-id']);
      res.setHeader('x-request-id', id);
      return id;
    },
    // The access line is built whole below; requestId is one of its fields, not a binding.
    quietResLogger: true,
    customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
    // Probes and scrapes every few seconds would drown the rest: their successes are debug lines.
    customLogLevel: (req, res, error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : (req as Scoped)[SCOPE]?.face === 'health' ? 'debug' : 'info',
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request failed',
    customSuccessObject: (req, res, fields) => accessFields(req as Scoped, res, fields),
    customErrorObject: (req, res, error, fields) => ({ ...accessFields(req as Scoped, res, fields), err: error }),
    serializers: { req: () => undefined, res: () => undefined },
  };
  const http = pinoHttp(options);

  function accessFields(req: Scoped, res: ServerResponse, fields: Record<string, unknown>) {
    const scope = req[SCOPE]!;
    return {
      requestId: scope.requestId,
      method: req.method,
      route: routeOf(req, scope),
      status: res.statusCode,
      durationMs: fields.durationMs,
      actor: scope.actor ?? 'anonymous',
      ...(scope.provider ? { provider: scope.provider } : {}),
      ...(scope.operation ? { operation: scope.operation } : {}),
    };
  }

  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const scoped = req as unknown as Scoped;
    metrics.httpInFlight.inc();
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      metrics.httpInFlight.dec();
      const scope = scoped[SCOPE]!;
      const route = routeOf(scoped, scope);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequests.inc({ route, method: req.method, status: String(res.statusCode) });
      metrics.httpDuration.observe({ route, method: req.method }, seconds);
    };
    res.once('finish', finished);
    res.once('close', finished);
    http(req, res, () => undefined);
    const scope: RequestScope = { requestId: String(req.id), face: faceOf(req.originalUrl ?? req.url) };
    scoped[SCOPE] = scope;
    runInScope(scope, next);
  };
}

/** Marks the request as served by `provider`'s route `template` (access log, metrics). */
export function markRoute(provider: string | undefined, template: string): void {
  const scope = currentScope();
  if (!scope) return;
  scope.route = template;
  if (provider) scope.provider = provider;
}

/** A 5xx's cause for the access-log line (and nowhere near the response). */
export function recordFailure(res: Response, error: unknown): void {
  (res as Response & { err?: unknown }).err = error instanceof Error ? error : new Error(String(error));
}
