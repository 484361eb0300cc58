import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/**
 * Headers on every response, set before any route runs: helmet's (nosniff, frame denial,
 * no referrer, cross-origin isolation), a CSP for API answers that loads nothing (the console's
 * pages set their own, src/server/console.ts), and `Cache-Control: no-store` as the default, so
 * that no answer carrying a secret can be cached because its route forgot to say so. Routes
 * that serve public documents (signing keys, discovery, console assets) set their own caching.
 */
export function securityHeaders(): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      xFrameOptions: { action: 'deny' },
      // The gateway does not know which other hosts share its domain.
      strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
    }),
    (_req: Request, res: Response, next: NextFunction) => (res.setHeader('cache-control', 'no-store'), next()),
  ];
}
