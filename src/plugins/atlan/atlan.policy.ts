import { Acts, type Actor, type AuthorizationTarget, type Policy } from '../../core';
import type { PersonaPolicy } from '../../entities';

/** Atlan's roles, case-sensitive as Atlan spells them. */
export const ATLAN_ROLES = ['$admin', '$member', '$guest'] as const;

/** What principals are called: `user` (people, with bearer tokens) and `api_token` (actors of their own). */
export const ATLAN_KINDS = { user: 'user', apiToken: 'api_token' } as const;

/** The plugin's own actions, next to core's. */
export const AtlanActions = {
  createConnection: 'atlan.connection.create',
  readConnection: 'atlan.connection.read',
  /** Listing and changing who administers / views a connection: its access policies. */
  manageConnectionPolicies: 'atlan.connection.managePolicies',
  /** Adding an API token as admin or viewer: a user's bearer token (impersonation) only. */
  addTokenToConnection: 'atlan.connection.addToken',
  createCollection: 'atlan.collection.create',
  readCollection: 'atlan.collection.read',
  /** Renaming a collection, changing its queries, adding users to it. */
  editCollection: 'atlan.collection.edit',
  addTokenToCollection: 'atlan.collection.addToken',
} as const;

export type GrantLevel = 'admin' | 'editor' | 'viewer';

/** What a resource action is checked against. */
export interface ResourceTarget extends AuthorizationTarget {
  resourceId: string;
  qualifiedName: string;
}

/** How the policy learns what it needs from storage; the provider wires it to core's resources and personas. */
export interface AccessFacts {
  levelOf(principalId: string, resourceId: string): Promise<GrantLevel | null>;
  personaPolicies(personaIds: readonly string[]): Promise<PersonaPolicy[]>;
}

/** `*`, the exact value, or a prefix ending in `*` (`default/snowflake/*`). */
function matches(pattern: string, value: string): boolean {
  if (pattern === '*' || pattern === value) return true;
  return pattern.endsWith('*') && value.startsWith(pattern.slice(0, -1));
}

export function buildPolicy(facts: AccessFacts): Policy {
  const resource = (target: AuthorizationTarget | undefined) => target as ResourceTarget | undefined;
  const holds = (levels: readonly GrantLevel[]) => async (actor: Actor, target: AuthorizationTarget | undefined) => {
    const t = resource(target);
    if (!t?.resourceId) return false;
    const level = await facts.levelOf(actor.principalId, t.resourceId);
    return level !== null && levels.includes(level);
  };
  const personaGrants = (action: string) => async (actor: Actor, target: AuthorizationTarget | undefined) => {
    const t = resource(target);
    if (!t?.qualifiedName || actor.personaIds.length === 0) return false;
    const policies = await facts.personaPolicies(actor.personaIds);
    return policies.some((p) => matches(p.action, action) && matches(p.resource, t.qualifiedName));
  };
  const either =
    (...checks: ((actor: Actor, target: AuthorizationTarget | undefined) => Promise<boolean>)[]) =>
    async (actor: Actor, target: AuthorizationTarget | undefined) => {
      for (const check of checks) if (await check(actor, target)) return true;
      return false;
    };
  const isUser = (check: (actor: Actor, target: AuthorizationTarget | undefined) => Promise<boolean>) => async (actor: Actor, target: AuthorizationTarget | undefined) =>
    actor.principalKind === ATLAN_KINDS.user && check(actor, target);

  return {
    // Users and API tokens alike: `$admin` users.
    [Acts.createServiceAccount]: { roles: ['$admin'] },
    [Acts.listServiceAccounts]: { roles: ['$admin'] },
    [Acts.getServiceAccount]: { roles: ['$admin'], self: true },
    [Acts.updateServiceAccount]: { roles: ['$admin'] },
    [Acts.deleteServiceAccount]: { roles: ['$admin'] },
    // A user's bearer token: the user's own session, or the operator (who stands in for the login).
    [Acts.createAccessToken]: { self: true },
    [Acts.readTokens]: { roles: ['$admin'], self: true },
    [Acts.revokeToken]: { roles: ['$admin'], self: true },
    [Acts.revokeAllTokens]: { roles: ['$admin'], self: true },
    [Acts.listPermissions]: { anyPrincipal: true },
    [Acts.listPersonas]: { anyPrincipal: true },
    [Acts.createPersona]: { roles: ['$admin'] },
    [Acts.subscribeEvents]: { roles: ['$admin'], self: true },

    // Admin users and every API token create connections; the creator becomes the connection's admin.
    [AtlanActions.createConnection]: { roles: ['$admin'], check: async (actor) => actor.principalKind === ATLAN_KINDS.apiToken },
    [AtlanActions.readConnection]: { roles: ['$admin'], check: either(holds(['admin', 'viewer']), personaGrants('connection.read')) },
    // "For any actor to manage policies for a connection, that actor must be a connection admin."
    [AtlanActions.manageConnectionPolicies]: { check: holds(['admin']) },
    // The catch-22: only a user who already is the connection's admin adds a token.
    [AtlanActions.addTokenToConnection]: { check: isUser(holds(['admin'])) },

    [AtlanActions.createCollection]: { roles: ['$admin', '$member'], check: async (actor) => actor.principalKind === ATLAN_KINDS.apiToken },
    [AtlanActions.readCollection]: { check: either(holds(['admin', 'editor', 'viewer']), personaGrants('collection.read')) },
    [AtlanActions.editCollection]: { check: holds(['admin', 'editor']) },
    [AtlanActions.addTokenToCollection]: { check: isUser(holds(['admin', 'editor'])) },
  };
}
