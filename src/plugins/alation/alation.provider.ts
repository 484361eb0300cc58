import type { CoreServices } from '../../core';
import { defineProvider, type ProviderFactory, type ProviderManifest, type ProviderPlugin } from '../provider';
import { alationPolicy, ALATION_LIFESPANS, ALATION_ROLES } from './alation.policy';
import { alationRoutes } from './alation.routes';
import { AlationService } from './alation.service';
import { OAUTH_AUDIENCE, OAUTH_ISSUER_PATH, OAUTH_PATHS, OAUTH_TOKEN_TYPE } from './oauth/oauth.constants';
import { oauthRoutes } from './oauth/oauth.routes';
import { AlationOAuth } from './oauth/oauth.service';

/**
 * Alation: users (people and API service accounts) with roles, refresh tokens that mint API
 * access tokens, CSV import, and OAuth 2.0 clients with signed tokens. See README.md here.
 */
export const alationManifest: ProviderManifest = { id: 'alation', displayName: 'Alation', lifespans: ALATION_LIFESPANS, signsTokens: true };

export const createAlationProvider: ProviderFactory = defineProvider(alationManifest, (core: CoreServices): ProviderPlugin => {
  let services: { alation: AlationService; oauth: AlationOAuth } | undefined;
  const use = () => (services ??= { alation: new AlationService(core, plugin), oauth: new AlationOAuth(core, plugin) });

  const plugin: ProviderPlugin = {
    ...alationManifest,
    catalog: { roles: ALATION_ROLES },
    policy: alationPolicy,

    init() {
      // The access tokens OAuth clients get authenticate GraphQL and REST calls with the client's
      // role; the jti row makes revocation and client deletion take effect at once.
      core.declareTokenIssuer(
        { issuer: OAUTH_ISSUER_PATH, token: OAUTH_PATHS.token, introspection: OAUTH_PATHS.introspect, revocation: OAUTH_PATHS.revoke, jwks: OAUTH_PATHS.jwks },
        { type: OAUTH_TOKEN_TYPE, audience: OAUTH_AUDIENCE },
      );
    },

    kindOf: () => 'user',
    signIn: (ctx, username, password) => use().alation.signIn(ctx, username, password),
    createServiceAccount: (ctx, input) => use().alation.createUser(ctx, input),
    importServiceAccounts: (ctx, csv, confirm, options) => use().alation.importUsers(ctx, csv, confirm, options),
    createRefreshToken: (ctx, owner, input) => use().alation.createRefreshToken(ctx, owner, input),
    createAccessToken: (ctx, owner, input, refreshToken) => use().alation.createAccessToken(ctx, owner, input, refreshToken),
    createOAuthClient: (ctx, input) => use().oauth.createClient(ctx, input),

    routes(kit) {
      alationRoutes(kit, use().alation);
      oauthRoutes(kit, core, use().oauth);
    },
  };
  return plugin;
});
