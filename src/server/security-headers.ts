import type { Request, RequestHandler, Response } from 'express';
import type { EdgeStep } from './direct-routes';
import helmet from 'helmet';

/**
 * Headers on every response, set before any route runs: helmet's (nosniff, frame denial,
 * no referrer, cross-origin isolation), a CSP for API answers that loads nothing (the console's
 * pages set their own, src/server/console.ts), and `Cache-Control: no-store` as the default, so
 * that no answer carrying a secret can be cached because its route forgot to say so. Routes
 * that serve public documents (signing keys, discovery, console assets) set their own caching.
 */
export function securityHeaders(): EdgeStep {
  const headers = helmetHeaders(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      xFrameOptions: { action: 'deny' },
      // The gateway does not know which other hosts share its domain.
      strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
    }),
  );
  headers.push(['cache-control', 'no-store']);
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/**
 * The headers helmet sets, read once: with these options they are the same for every request,
 * and setting them in one step saves a dozen middleware calls on every request.
 */
function helmetHeaders(middleware: RequestHandler): [string, string][] {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => void headers.push([name.toLowerCase(), String(value)]),
    removeHeader: () => undefined,
  };
  let finished = false;
  void middleware({ headers: {}, method: 'GET', url: '/' } as Request, recorder as unknown as Response, () => (finished = true));
  if (!finished) throw new Error('helmet did not finish synchronously: its headers cannot be precomputed');
  return headers;
}
