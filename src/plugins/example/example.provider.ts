import type { CoreServices } from '../../core';
import { defineProvider, type ProviderFactory, type ProviderManifest, type ProviderPlugin } from '../provider';
import { EXAMPLE_PERMISSIONS, EXAMPLE_ROLES, examplePolicy } from './example.policy';
import { exampleRoutes } from './example.routes';
import { ExampleService } from './example.service';

/**
 * A reference provider: the smallest plugin that uses every part of the contract. Tests and
 * benchmarks register it; production does not. Start a new vendor by copying this folder
 * (docs/adding-a-provider.md).
 */
export const exampleManifest: ProviderManifest = { id: 'example', displayName: 'Example', lifespans: { refresh: 7 * 24 * 3600, access: 3600 } };

export const createExampleProvider: ProviderFactory = defineProvider(exampleManifest, (core: CoreServices): ProviderPlugin => {
  let service: ExampleService | undefined;
  const example = () => (service ??= new ExampleService(core, plugin));
  const plugin: ProviderPlugin = {
    ...exampleManifest,
    catalog: { roles: EXAMPLE_ROLES, permissions: EXAMPLE_PERMISSIONS },
    policy: examplePolicy,

    createServiceAccount: (ctx, input) => example().createServiceAccount(ctx, input),
    createRefreshToken: (ctx, owner, input) => example().createRefreshToken(ctx, owner, input),
    createAccessToken: (ctx, owner, input, refreshToken) => example().createAccessToken(ctx, owner, input, refreshToken),

    routes: exampleRoutes,
  };
  return plugin;
});
