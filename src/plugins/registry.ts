import type { CoreServices } from '../core';
import { badInput } from '../core';
import { createAtlanProvider } from './atlan/atlan.provider';
import { createAlationProvider } from './alation/alation.provider';
import type { ProviderFactory, ProviderPlugin } from './provider';
import { createTalendProvider } from './talend/talend.provider';

/** The providers a production gateway runs. Removing a vendor is deleting its folder and its line here. */
export const defaultProviders: ProviderFactory[] = [createAlationProvider, createAtlanProvider, createTalendProvider];

export class ProviderRegistry {
  private readonly byId = new Map<string, ProviderPlugin>();

  constructor(factories: readonly ProviderFactory[], core: CoreServices) {
    for (const factory of factories) {
      const { id } = factory.manifest;
      if (!/^[a-z][a-z0-9]{1,30}$/.test(id)) throw new Error(`Invalid provider id "${id}".`);
      if (this.byId.has(id)) throw new Error(`Provider "${id}" is registered twice.`);
      const plugin = factory(core);
      this.byId.set(plugin.id, plugin);
    }
  }

  all(): ProviderPlugin[] {
    return [...this.byId.values()];
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Throws BAD_USER_INPUT for an id no registered provider has. */
  get(id: string): ProviderPlugin {
    const plugin = this.byId.get(id);
    if (!plugin) throw badInput(`Unknown provider "${id}". Known providers: ${this.ids().join(', ') || 'none'}.`, { field: 'provider' });
    return plugin;
  }

  /** The one provider that implements a hook, e.g. `createOAuthClient`. */
  withHook<K extends keyof ProviderPlugin>(hook: K): ProviderPlugin[] {
    return this.all().filter((p) => typeof p[hook] === 'function');
  }

  async init(): Promise<void> {
    for (const plugin of this.all()) await plugin.init?.();
  }

  async destroy(): Promise<void> {
    for (const plugin of this.all().reverse()) await plugin.destroy?.();
  }
}
