import type { Actor, CoreServices, RequestContext } from '../core';
import type { ProviderRegistry } from '../plugins/registry';
import type { Loaders } from './loaders';

/** The GraphQL context: the request's actor plus the gateway's services, built per request. */
export interface GraphQLContext extends RequestContext {
  actor: Actor | null;
  core: CoreServices;
  providers: ProviderRegistry;
  loaders: Loaders;
}
