import { badInput, CoreActions, notFound, type CoreServices } from '../../core';
import { defineProvider, type ProviderFactory, type ProviderManifest, type ProviderPlugin } from '../provider';
import { ApiTokens, readFields } from './api-tokens';
import { ATLAN_KINDS, ATLAN_ROLES, AtlanActions, buildPolicy } from './atlan.policy';
import { Resources } from './resources';
import { atlanRoutes } from './atlan.routes';

/**
 * Atlan: API tokens are actors of their own (a `service_account` of kind `api_token` whose one
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
  let resources: Resources | undefined;
  const facts = {
    levelOf: (principalId: string, resourceId: string) => resources!.levelOf(principalId, resourceId),
    personaPolicies: (personaIds: readonly string[]) => resources!.personaPolicies(personaIds),
  };

  const plugin: ProviderPlugin = {
    ...atlanManifest,
    catalog: { roles: ATLAN_ROLES, permissions: [] },
    policy: buildPolicy(facts),

    init() {
      resources = new Resources(core, plugin, (value) => core.credentials.resolve(value));
    },

    /** With `user` (and `role`): an Atlan user. Otherwise an API token, whose value is the secret. */
    async createServiceAccount(ctx, input) {
      if (input.user != null) {
        const name = input.user.trim();
        if (!name) throw badInput('user is required: the user name.', { field: 'user' });
        if (input.personaQualifiedNames?.length || input.validitySeconds != null)
          throw badInput('personaQualifiedNames and validitySeconds belong to API tokens; leave out `user` to create one.', { field: 'user' });
        const [issued] = await core.principals.create(
          ctx,
          plugin,
          [{ kind: ATLAN_KINDS.user, name, displayName: input.displayName ?? null, email: input.email ?? null, role: input.role ?? '$member', description: input.description ?? null }],
          { action: AtlanActions.createUser },
        );
        return issued;
      }
      if (input.role != null || input.password != null) throw badInput('role and password belong to users: give `user` too.', { field: 'role' });
      const fields = readFields(
        { displayName: input.displayName, description: input.description ?? '', personaQualifiedNames: input.personaQualifiedNames ?? [] },
        { descriptionRequired: false },
      );
      const { account, secret } = await new ApiTokens(core, plugin).create(ctx, fields, input.validitySeconds);
      return { record: account, secret };
    },

    async updateServiceAccount(ctx, id, input) {
      if (input.name != null || input.permissions != null) throw badInput('Atlan API tokens have a displayName, a description and personas to change.', { field: 'name' });
      const current = await core.principals.find(id);
      const fields = readFields(
        {
          displayName: input.displayName ?? current?.displayName ?? current?.name,
          description: input.description ?? current?.description ?? '',
          personaQualifiedNames: input.personaQualifiedNames ?? [],
        },
        { descriptionRequired: false },
      );
      return new ApiTokens(core, plugin).update(ctx, id, fields);
    },

    async deleteServiceAccount(ctx, id) {
      return core.principals.delete(ctx, plugin, id);
    },

    /** A user's bearer token, for the user itself (or the operator, standing in for its login). */
    async createAccessToken(ctx, input) {
      if (input.refreshTokenId) throw badInput('Atlan has no refresh tokens: give serviceAccountId (a user).', { field: 'refreshTokenId' });
      const ownerId = input.serviceAccountId ?? (ctx.actor?.kind === 'principal' ? ctx.actor.principalId : null);
      const owner = ownerId ? await core.principals.find(ownerId) : null;
      if (!owner || owner.provider !== plugin.id) throw notFound('Service account');
      if (owner.kind !== ATLAN_KINDS.user)
        throw badInput("An API token's value is issued once, when the token is created; create a new API token instead.", { field: 'serviceAccountId' });
      return core.tokens.issueAccessToken(ctx, plugin, owner, { kind: 'bearer', name: input.name ?? null, action: CoreActions.createAccessToken });
    },

    routes(router, kit) {
      atlanRoutes(router, kit, new ApiTokens(core, plugin), resources!);
    },
  };
  return plugin;
});
