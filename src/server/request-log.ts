import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './logger';
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
 * and the HTTP metrics. The line is written through the gateway's logger (its redaction
 * included) with nothing built per request but the line itself: this runs on every call.
 */
export function requestLog(logger: Logger, metrics: GatewayMetrics) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const started = process.hrtime.bigint();
    const scoped = req as unknown as Scoped;
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    (req as IncomingMessage & { id?: string }).id = requestId;
    // The first step on either binding: nothing has rewritten the URL yet.
    const scope: RequestScope = { requestId, face: faceOf(req.url ?? '') };
    scoped[SCOPE] = scope;
    metrics.httpInFlight.inc();
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      res.off('finish', finished);
      res.off('close', finished);
      metrics.httpInFlight.dec();
      const route = routeOf(scoped, scope);
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      metrics.httpRequests.inc({ route, method: req.method, status: String(res.statusCode) });
      metrics.httpDuration.observe({ route, method: req.method }, durationMs / 1000);
      const failure = (res as ServerResponse & { err?: Error }).err;
      const fields: Record<string, unknown> = {
        requestId,
        method: req.method,
        route,
        status: res.statusCode,
        durationMs: Math.round(durationMs * 10) / 10,
        actor: scope.actor ?? 'anonymous',
        ...(scope.provider ? { provider: scope.provider } : {}),
        ...(scope.operation ? { operation: scope.operation } : {}),
      };
      if (failure || res.statusCode >= 500) logger.error('request failed', { ...fields, err: failure ?? new Error(`failed with status code ${res.statusCode}`) });
      else if (res.statusCode >= 400) logger.warn('request', fields);
      // Probes and scrapes every few seconds would drown the rest: their successes are debug lines.
      else if (scope.face === 'health') logger.debug('request', fields);
      else logger.info('request', fields);
    };
    res.on('finish', finished);
    res.on('close', finished);
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
export function recordFailure(res: ServerResponse, error: unknown): void {
  (res as ServerResponse & { err?: unknown }).err = error instanceof Error ? error : new Error(String(error));
}
