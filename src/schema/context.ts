import type { Actor, CoreServices, RequestContext } from '../core';
import type { ProviderRegistry } from '../plugins/registry';
import type { Loaders } from './loaders';

/**
 * The GraphQL context: the request's actor plus the gateway's services, built per request.
 * Resolvers reach every act through `registry`; `core` is for what is not an act (clock, status).
 */
export interface GraphQLContext extends RequestContext {
  actor: Actor | null;
  core: CoreServices;
  registry: ProviderRegistry;
  loaders: Loaders;
}
