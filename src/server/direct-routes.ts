import type { IncomingMessage, ServerResponse } from 'node:http';
import qs from 'qs';
import { markRoute, recordFailure } from './request-log';
import { currentScope, runInScope } from './request-scope';
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
 * `res.json` cost as much CPU per request as keygate's own work on these routes; the handler,
 * the edge middleware and the failure rendering are the Express binding's very functions.
 *
 * Only the plain case is served here: an exact declared path (with or without its trailing
 * slash), no query string, a body of declared length within the limit, uncompressed, of one of
 * the content types above. Anything else goes to Express, which answers it as it always has, so
 * each refusal (413, 415, a case-variant path, a chunked or compressed body) keeps one source.
 * The body is parsed as body-parser parses it with the Express binding's options (qs for forms,
 * strict JSON, UTF-8 verified, byte-order mark dropped).
 */
export class DirectRoutes {
  /** By exact path; null where Express must answer (a route declared earlier takes the path). */
  private readonly routes = new Map<string, BoundRoute | null>();
  /** Routes with parameters declared so far: a later static path they match stays Express's. */
  private readonly parameterized: RegExp[] = [];

  constructor(
    private readonly edge: readonly EdgeStep[],
    private readonly maxBodyBytes: number,
  ) {}

  /** Declares a route in the order the Express router gets it, so that the same route answers on either binding. */
  add(method: string, path: string, route: BoundRoute): void {
    const takesPost = method === 'POST' || method === 'ALL';
    if (!takesPost) return;
    if (path.includes(':') || path.includes('*')) {
      this.parameterized.push(new RegExp(`^${path.replace(/\/+$/, '').replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+').replace(/\*\w*/g, '.*')}/?$`, 'i'));
      return;
    }
    const bare = path.replace(/\/+$/, '');
    const shadowed = this.parameterized.some((pattern) => pattern.test(bare));
    for (const variant of [bare || '/', `${bare}/`]) {
      if (this.routes.has(variant)) continue;
      this.routes.set(variant, method === 'POST' && !shadowed ? route : null);
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
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // An aborted upload has no one to answer.
    req.once('error', () => res.destroy());
    // Stream events arrive outside the request's scope: the access log and audit need it back.
    const scope = currentScope();
    req.once('end', () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const answer = () => this.guarded(res, () => this.answer(req, res, route, kind, body));
      if (scope) runInScope(scope, answer);
      else answer();
    });
  }

  private answer(req: IncomingMessage, res: ServerResponse, route: BoundRoute, kind: 'json' | 'form', raw: Buffer): void {
    let body: unknown;
    try {
      body = parseBody(kind, raw);
    } catch (error) {
      return this.guarded(res, () => route.fail(req, res, error));
    }
    route.serve(req, res, { body, params: {}, query: {} }).catch((error: unknown) => unanswered(res, error));
  }
}

/** A failure no route answered (a bug): the gateway's last-resort 500, as its Express error handler words it. */
function unanswered(res: ServerResponse, error: unknown): void {
  recordFailure(res, error);
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ error: 'internal_server_error', message: 'Internal server error' });
  res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
}

/** The body as body-parser gives it with the Express binding's options (see the class comment). */
function parseBody(kind: 'json' | 'form', raw: Buffer): unknown {
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
