import type { CoreServices } from '../../core';
import { defineProvider, type ProviderFactory, type ProviderManifest, type ProviderPlugin } from '../provider';
import { ATLAN_ROLES, buildPolicy, type GrantLevel } from './atlan.policy';
import { atlanRoutes } from './atlan.routes';
import { AtlanResources, AtlanService } from './atlan.service';

/**
 * Atlan: API tokens are actors of their own (a principal of kind `api_token` whose one
 * `access_token` is the token), users hold short-lived bearer tokens, personas carry policies, and
 * connections and query collections carry admin / editor / viewer grants. See README.md here.
 */
export const atlanManifest: ProviderManifest = {
  id: 'atlan',
  displayName: 'Atlan',
  // api_token: the lifespan comes from each token's validitySeconds. bearer: a user's session.
  lifespans: { bearer: 3600 },
};

export const createAtlanProvider: ProviderFactory = defineProvider(atlanManifest, (core: CoreServices): ProviderPlugin => {
  let services: { atlan: AtlanService; resources: AtlanResources } | undefined;
  const use = () => (services ??= { atlan: new AtlanService(core, plugin), resources: new AtlanResources(core, plugin) });

  const plugin: ProviderPlugin = {
    ...atlanManifest,
    catalog: { roles: ATLAN_ROLES, permissions: [], personas: true },
    policy: buildPolicy({
      levelOf: async (principalId, resourceId) => (await core.resources.levelOf(principalId, resourceId)) as GrantLevel | null,
      personaPolicies: (personaIds) => core.catalog.personaPolicies(personaIds),
    }),

    kindOf: (input) => use().atlan.kindOf(input),
    createServiceAccount: (ctx, input) => use().atlan.createServiceAccount(ctx, input),
    updateServiceAccount: (ctx, account, input) => use().atlan.updateServiceAccount(ctx, account, input),
    createAccessToken: (ctx, owner, input, refreshToken) => use().atlan.createBearerToken(ctx, owner, input, refreshToken),

    routes: (kit) => atlanRoutes(kit, use().atlan, use().resources),
  };
  return plugin;
});
