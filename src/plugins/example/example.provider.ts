import { badInput, CoreActions, GatewayError, notFound, type CoreServices } from '../../core';
import { defineProvider, type ProviderFactory, type ProviderManifest, type ProviderPlugin } from '../provider';

/**
 * A reference provider: the smallest plugin that uses every part of the contract. Tests and
 * benchmarks register it; production does not. Start a new vendor by copying this folder.
 */
export const EXAMPLE_ROLES = ['ADMIN', 'MEMBER'] as const;

export const exampleManifest: ProviderManifest = { id: 'example', displayName: 'Example', lifespans: { refresh: 7 * 24 * 3600, access: 3600 } };

export const createExampleProvider: ProviderFactory = defineProvider(exampleManifest, (core: CoreServices): ProviderPlugin => {
  const plugin: ProviderPlugin = {
    ...exampleManifest,
    catalog: {
      roles: EXAMPLE_ROLES,
      permissions: [
        { id: 'EXAMPLE_READ', name: 'Things - Read' },
        { id: 'EXAMPLE_WRITE', name: 'Things - Write' },
      ],
    },
    policy: {
      [CoreActions.createServiceAccount]: { roles: ['ADMIN'] },
      [CoreActions.listServiceAccounts]: { roles: ['ADMIN'] },
      [CoreActions.readServiceAccount]: { roles: ['ADMIN'], self: true },
      [CoreActions.deleteServiceAccount]: { roles: ['ADMIN'] },
      [CoreActions.createRefreshToken]: { roles: ['ADMIN'], self: true },
      [CoreActions.createAccessToken]: { roles: ['ADMIN'], self: true },
      [CoreActions.readToken]: { roles: ['ADMIN'], self: true },
      [CoreActions.revokeToken]: { roles: ['ADMIN'], self: true },
      [CoreActions.listPermissions]: { anyPrincipal: true },
      [CoreActions.listPersonas]: { anyPrincipal: true },
      [CoreActions.createPersona]: { roles: ['ADMIN'] },
      [CoreActions.subscribeEvents]: { roles: ['ADMIN'], self: true },
    },

    async createServiceAccount(ctx, input) {
      const name = input.name?.trim();
      if (!name) throw badInput('name is required.', { field: 'name' });
      const [issued] = await core.principals.create(ctx, plugin, [
        {
          kind: 'service_account',
          name,
          displayName: input.displayName,
          role: input.role ?? 'MEMBER',
          description: input.description,
          permissions: input.permissions ?? [],
          personaQualifiedNames: input.personaQualifiedNames ?? [],
          secretKind: 'sa',
        },
      ]);
      return issued;
    },

    async createRefreshToken(ctx, input) {
      const ownerId = input.serviceAccountId ?? ctx.actor?.principalId;
      const owner = ownerId ? await core.principals.find(ownerId) : null;
      if (!owner || owner.provider !== plugin.id) throw notFound('Service account');
      return core.tokens.issueRefreshToken(ctx, plugin, owner, input.name);
    },

    async createAccessToken(ctx, input) {
      if (!input.refreshTokenId) throw badInput('refreshTokenId is required.', { field: 'refreshTokenId' });
      const found = await core.tokens.find(input.refreshTokenId);
      if (!found || found.type !== 'refresh' || found.token.provider !== plugin.id) throw notFound('Refresh token');
      const owner = await core.principals.find(found.token.ownerId);
      if (!owner) throw notFound('Service account');
      return core.tokens.issueAccessToken(ctx, plugin, owner, {
        kind: 'access',
        refreshTokenId: found.token.id,
        replaceExisting: input.regenerate ?? false,
      });
    },

    routes(router, kit) {
      router.get('/example/whoami', async (req, res) => {
        try {
          const ctx = await kit.context(req);
          if (!ctx.actor) throw new GatewayError('UNAUTHENTICATED', 'Send a bearer token.');
          res.json({ name: ctx.actor.name, provider: ctx.actor.provider, role: ctx.actor.role });
        } catch (error) {
          const status = error instanceof GatewayError ? error.httpStatus : 500;
          res.status(status).json({ error: error instanceof GatewayError ? error.message : 'Internal error' });
        }
      });
    },
  };
  return plugin;
});
