import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { packageRoot } from '../package';

/**
 * The web console's Content-Security-Policy: every script, style, font and connection from the
 * gateway itself, no inline script, no framing. GraphiQL's bundled fonts are data: URLs.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const wantsHtml = (req: Request) => req.accepts(['application/json', 'text/html']) === 'text/html';

/** The pages' CSP replaces the API's load-nothing one; nosniff, referrer and no-store come from securityHeaders(). */
function pageHeaders(res: Response): void {
  res.set('content-security-policy', CONSOLE_CSP);
}

/**
 * The console at /console (built by `npm run build:console` into dist/console), GraphiQL at
 * GET /graphql for browsers, and `/` redirecting browsers to the console. JSON clients of
 * /graphql and / are passed through untouched.
 */
export function consoleRoutes(buildDir = join(packageRoot(__dirname), 'dist', 'console')): Router {
  const router = express.Router();
  const page = (file: string) => (_req: Request, res: Response) => {
    const path = join(buildDir, file);
    pageHeaders(res);
    if (!existsSync(path)) return void res.status(503).type('text/plain').send('The console is not built: run `npm run build:console`.');
    res.sendFile(path);
  };

  router.get('/', (req, res, next) => (wantsHtml(req) ? res.redirect(302, '/console') : next()));
  router.get('/graphql', (req: Request, res: Response, next: NextFunction) => (wantsHtml(req) && !req.query.query ? page('graphiql.html')(req, res) : next()));
  router.use(
    '/console/assets',
    express.static(join(buildDir, 'assets'), {
      immutable: true,
      maxAge: '1y',
      fallthrough: false,
      setHeaders: (res) => res.set('content-security-policy', CONSOLE_CSP),
    }),
  );
  router.get('/console/alation-users-template.csv', (_req, res) => {
    res.set('content-disposition', 'attachment; filename="alation-users-template.csv"');
    res.sendFile(join(buildDir, 'alation-users-template.csv'));
  });
  // Every other /console path is a screen of the single-page app.
  router.get(['/console', '/console/{*screen}'], page('index.html'));
  return router;
}
