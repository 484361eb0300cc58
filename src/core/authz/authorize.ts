import type { Actor } from '../credentials/actor';
import { forbidden, unauthenticated } from '../errors';
import type { AuthorizationTarget, Policy } from './requirement';

export interface PolicyHolder {
  id: string;
  policy: Policy;
}

/**
 * The one authorization decision. The schema's auth checker and every REST route end here.
 * Returns normally when allowed; throws UNAUTHENTICATED without an actor and FORBIDDEN otherwise.
 */
export async function authorize(
  actor: Actor | null | undefined,
  provider: PolicyHolder,
  action: string,
  target?: AuthorizationTarget,
): Promise<Actor> {
  if (!actor) throw unauthenticated();
  if (await isAllowed(actor, provider, action, target)) return actor;
  throw forbidden(`Not allowed: ${action} on ${provider.id} needs ${describe(provider, action, target)}.`);
}

export async function isAllowed(
  actor: Actor,
  provider: PolicyHolder,
  action: string,
  target?: AuthorizationTarget,
): Promise<boolean> {
  if (actor.kind === 'operator') return true;
  if (actor.provider !== provider.id) return false;
  const requirement = provider.policy[action];
  if (!requirement) return false;
  if (requirement.anyPrincipal) return true;
  if (requirement.roles && actor.role !== null && requirement.roles.includes(actor.role)) return true;
  if (requirement.permissions && requirement.permissions.length > 0 && requirement.permissions.every((p) => actor.permissions.has(p)))
    return true;
  if (requirement.self && target?.ownerId && target.ownerId === actor.principalId) return true;
  if (requirement.check && (await requirement.check(actor, target))) return true;
  return false;
}

function describe(provider: PolicyHolder, action: string, target?: AuthorizationTarget): string {
  const requirement = provider.policy[action];
  if (!requirement) return 'the gateway operator';
  const parts: string[] = [];
  if (requirement.describe) parts.push(requirement.describe(target));
  if (requirement.roles?.length) parts.push(`role ${requirement.roles.join(' or ')}`);
  if (requirement.permissions?.length) parts.push(`permission ${requirement.permissions.join(' and ')}`);
  if (requirement.self) parts.push('ownership');
  return parts.length ? parts.join(', or ') : 'a grant you do not hold';
}
