import type { AuthChecker } from 'type-graphql';
import { forbidden, unauthenticated, type Actor } from '../core';
import type { GraphQLContext } from './context';

/**
 * `@Authorized()` means "a valid credential"; `@Authorized('operator')` means the gateway operator.
 * What a principal may do with a provider's objects is the provider's policy, decided by core/authz
 * inside the core services every resolver calls (the REST routes call the same services).
 */
export const authChecker: AuthChecker<GraphQLContext> = ({ context }, roles) => {
  if (!context.actor) throw unauthenticated();
  if (roles.includes('operator') && context.actor.kind !== 'operator') throw forbidden('Only the gateway operator may do this.');
  return true;
};

export function requireActor(context: GraphQLContext): Actor {
  if (!context.actor) throw unauthenticated();
  return context.actor;
}
