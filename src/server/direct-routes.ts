import { AsyncResource } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { qs, withUtf8Charset } from './express-parts';
import { markRoute, recordFailure } from './request-log';
import { verifyUtf8 } from './well-formed';

/** What a route's handler reads from the request, whichever binding read it. */
export interface RouteInput {
  body: unknown;
  params: Record<string, string>;
  query: Record<string, unknown>;
}

/** One declared route as both bindings serve it: its handler on node's request and response, and its failure in the vendor's shape. */
export interface BoundRoute {
  provider: string;
  template: string;
  serve(req: IncomingMessage, res: ServerResponse, input: RouteInput): Promise<void>;
  fail(req: IncomingMessage, res: ServerResponse, error: unknown): void;
}

/** The edge middleware every request passes first (request id and access log, security headers), on node's objects. */
export type EdgeStep = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** The content types served here, exactly as clients send them; any other value goes through Express's parsers. */
const BODY_KINDS = new Map<string, 'json' | 'form'>([
  ['application/json', 'json'],
  ['application/json; charset=utf-8', 'json'],
  ['application/json;charset=utf-8', 'json'],
  ['application/x-www-form-urlencoded', 'form'],
  ['application/x-www-form-urlencoded; charset=utf-8', 'form'],
  ['application/x-www-form-urlencoded;charset=utf-8', 'form'],
]);

/** body-parser's parameter limit for forms (its default, which the Express binding uses). */
const FORM_PARAMETER_LIMIT = 1000;
/** body-parser's strict check: the first character past JSON's whitespace (space, tab, LF, CR). */
const JSON_FIRST_CHARACTER = /^[ \t\n\r]*([^ \t\n\r])/;

/** A body-parser failure as the route kit's `failureOf` reads it (`type`, `status`). */
const parserFailure = (type: string, status: number) => Object.assign(new Error(type), { type, status });

/**
 * POST routes without path parameters — the protocol endpoints clients call in a loop (token,
 * introspection, revocation, validate) and the other static vendor POSTs — served on node:http
 * before Express sees the request. Express's router, request and response prototypes and
 * `res.json` cost as much CPU per request as keygate's own work on these routes. The handler, the
 * edge steps and the vendor's failure rendering are the Express binding's own functions; only the
 * writer of the answer differs (`writeJson` here, Express's `res.json` there).
 *
 * Only the plain case is served here: an exact declared path (with or without its trailing
 * slash), no query string, a body of declared length within the limit, uncompressed, of one of
 * the content types above. Anything else goes to Express, which answers it as it always has, so
 * each refusal (413, 415, a case-variant path, a chunked or compressed body) keeps one source.
 * The body is parsed as body-parser parses it with the Express binding's options (qs for forms,
 * strict JSON, UTF-8 verified, byte-order mark dropped, an upload cut short a 400).
 */
export class DirectRoutes {
  /** By exact path; null where Express must answer (a route declared earlier takes the path). */
  private readonly routes = new Map<string, BoundRoute | null>();
  /** Routes with parameters declared so far: a later static path they match stays Express's. */
  private readonly parameterized: RegExp[] = [];
  /** Every static path declared so far, lowercased. */
  private readonly claimed = new Set<string>();

  constructor(
    private readonly edge: readonly EdgeStep[],
    private readonly maxBodyBytes: number,
  ) {}

  /** Declares a route in the order the Express router gets it, so that the same route answers on either binding. */
  add(method: string, path: string, route: BoundRoute): void {
    if (method !== 'POST' && method !== 'ALL') return;
    if (/[:*{}()"]/.test(path)) {
      this.parameterized.push(routePattern(path));
      return;
    }
    const bare = path.replace(/\/+$/, '') || '/';
    // Express matches paths whatever their case: the first route declared for a spelling keeps it.
    const claimed = this.claimed.has(bare.toLowerCase()) || this.parameterized.some((pattern) => pattern.test(bare));
    this.claimed.add(bare.toLowerCase());
    for (const variant of new Set([bare, `${bare.replace(/\/$/, '')}/`])) {
      if (!this.routes.has(variant)) this.routes.set(variant, method === 'POST' && !claimed ? route : null);
    }
  }

  /** Serves the request when it is a plain call of a direct route; false hands it to Express untouched. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST') return false;
    const route = this.routes.get(req.url ?? '');
    if (!route) return false;
    const headers = req.headers;
    const kind = BODY_KINDS.get(headers['content-type'] ?? '');
    const length = headers['content-length'];
    if (!kind || headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined) return false;
    if (!length || !/^\d{1,9}$/.test(length) || Number(length) > this.maxBodyBytes) return false;
    this.guarded(res, () =>
      this.runEdge(req, res, 0, () => {
        markRoute(route.provider, route.template);
        this.read(req, res, route, kind);
      }),
    );
    return true;
  }

  /** What Express does for a throw in a route: the cause to the access log, a masked 500 to the caller. */
  private guarded(res: ServerResponse, work: () => void): void {
    try {
      work();
    } catch (error) {
      unanswered(res, error);
    }
  }

  private runEdge(req: IncomingMessage, res: ServerResponse, index: number, done: () => void): void {
    if (index === this.edge.length) return done();
    this.edge[index](req, res, () => this.runEdge(req, res, index + 1, done));
  }

  private read(req: IncomingMessage, res: ServerResponse, route: BoundRoute, kind: 'json' | 'form'): void {
    const chunks: Buffer[] = [];
    // Stream events arrive outside the request's async context (its log scope, a trace): carried back in.
    const context = new AsyncResource('keygate.direct-route');
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // As body-parser: an upload cut short is a 400 on the access log (nobody reads the answer).
    req.once('aborted', () => context.runInAsyncScope(() => this.guarded(res, () => route.fail(req, res, parserFailure('request.aborted', 400)))));
    req.once('error', () => res.destroy());
    req.once('end', () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      context.runInAsyncScope(() => this.guarded(res, () => this.answer(req, res, route, kind, body)));
    });
  }

  private answer(req: IncomingMessage, res: ServerResponse, route: BoundRoute, kind: 'json' | 'form', raw: Buffer): void {
    let body: unknown;
    try {
      body = parseBody(kind, raw);
    } catch (error) {
      return this.guarded(res, () => route.fail(req, res, error));
    }
    // A failure that even the vendor's error shape threw on: rendered once more, as Express's route error layer does.
    route.serve(req, res, { body, params: {}, query: {} }).catch((error: unknown) => (res.headersSent ? unanswered(res, error) : this.guarded(res, () => route.fail(req, res, error))));
  }
}

/** A failure no route answered (a bug): the gateway's last-resort 500, as its Express error handler words it. */
function unanswered(res: ServerResponse, error: unknown): void {
  try {
    recordFailure(res, error);
    if (res.headersSent) return void res.destroy();
    writeJson(res, 500, undefined, { error: 'internal_server_error', message: 'Internal server error' });
  } catch {
    res.destroy();
  }
}

/**
 * A JSON answer as Express's `res.json` writes it for a POST: the route's content type (given
 * `charset=utf-8`, as `res.send` does) or `application/json; charset=utf-8`, the length, no body
 * on 204 and 304 and none on 205. (Freshness, `res.send`'s 304 for a matching `If-None-Match`,
 * applies to GET and HEAD only, which never come this way.)
 */
export function writeJson(res: ServerResponse, status: number, headers: Readonly<Record<string, string>> | undefined, body: unknown): void {
  if (headers) for (const name in headers) res.setHeader(name, headers[name]);
  res.statusCode = status;
  if (body === undefined) return void res.end();
  const text = JSON.stringify(body) as string | undefined;
  const type = res.getHeader('content-type');
  res.setHeader('Content-Type', typeof type === 'string' ? withUtf8Charset(type) : 'application/json; charset=utf-8');
  if (status === 204 || status === 304) {
    for (const name of ['Content-Type', 'Content-Length', 'Transfer-Encoding']) res.removeHeader(name);
    return void res.end();
  }
  if (status === 205) {
    res.setHeader('Content-Length', '0');
    res.removeHeader('Transfer-Encoding');
    return void res.end();
  }
  if (text === undefined) return void res.end();
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/**
 * A declared route path as Express's router matches it: case-insensitive, parameters as one
 * segment, the trailing slash optional. Syntax beyond `:name` and `*` (optional groups, quoted
 * names) matches everything under its literal prefix: the safe side for both users (the direct
 * binding leaves such paths to Express; a path that does not decode is answered in that route's shape).
 */
export function routePattern(path: string): RegExp {
  const bare = path.replace(/\/+$/, '');
  const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  if (/[{}()"]/.test(bare)) return new RegExp(`^${escape(bare.slice(0, bare.search(/[:*{}()"]/)))}`, 'i');
  return new RegExp(`^${escape(bare).replace(/:\w+/g, '[^/]+').replace(/\*\w*/g, '.*')}/?$`, 'i');
}

/** The body as body-parser gives it with the Express binding's options (see the class comment). */
export function parseBody(kind: 'json' | 'form', raw: Buffer): unknown {
  verifyUtf8(undefined, undefined, raw);
  let text = raw.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {};
  if (kind === 'json') {
    const first = JSON_FIRST_CHARACTER.exec(text)?.[1];
    if (first !== '{' && first !== '[') throw parserFailure('entity.parse.failed', 400);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw parserFailure('entity.parse.failed', 400);
    }
  }
  let count = 0;
  for (let index = -1; ; ) {
    if (++count > FORM_PARAMETER_LIMIT) throw parserFailure('parameters.too.many', 413);
    index = text.indexOf('&', index + 1);
    if (index === -1) break;
  }
  try {
    return qs.parse(text, { allowPrototypes: true, arrayLimit: count, depth: 0, charset: 'utf-8', parameterLimit: FORM_PARAMETER_LIMIT, strictDepth: true });
  } catch (error) {
    if (error instanceof RangeError) throw parserFailure('querystring.parse.rangeError', 400);
    throw error;
  }
}
