import type { Express, Request, Response } from 'express';
import { authorizationServerMetadata, type PublicUrl, type TokenIssuerPaths } from '../core';

/** How long clients may cache a discovery document. */
const DISCOVERY_MAX_AGE_SECONDS = 300;

/**
 * Discovery for every token issuer the providers declare: RFC 8414 metadata at
 * `/.well-known/oauth-authorization-server<issuer path>` and the OpenID-style document at
 * `<issuer>/.well-known/openid-configuration`, the same JSON at both. A public URL with a path
 * (keygate behind a proxy at `/keygate`) puts that path in front of the issuer's, as RFC 8414 §3
 * says; the path without it is answered too, for proxies that strip the prefix.
 */
export function mountOAuthDiscovery(app: Express, publicUrl: PublicUrl, issuers: () => readonly TokenIssuerPaths[]): void {
  const serve = (paths: TokenIssuerPaths) => (_req: Request, res: Response) => {
    res.set('cache-control', `public, max-age=${DISCOVERY_MAX_AGE_SECONDS}`).json(authorizationServerMetadata(publicUrl, paths));
  };
  app.get(/^\/\.well-known\/oauth-authorization-server(\/.*)?$/, (req, res, next) => {
    const prefix = new URL(publicUrl.get()).pathname.replace(/\/+$/, '');
    const rest = req.path.slice('/.well-known/oauth-authorization-server'.length).replace(/\/+$/, '');
    const paths = issuers().find((i) => rest === `${prefix}${i.issuer}` || rest === i.issuer);
    if (!paths) return next();
    serve(paths)(req, res);
  });
  app.get(/\/\.well-known\/openid-configuration\/?$/, (req, res, next) => {
    const issuerPath = req.path.replace(/\/\.well-known\/openid-configuration\/?$/, '');
    const paths = issuers().find((i) => i.issuer === issuerPath);
    if (!paths) return next();
    serve(paths)(req, res);
  });
}
