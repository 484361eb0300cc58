import { Acts, type Actor, type AuthorizationTarget, type Policy } from '../../core';

/** Talend's permission ids and display names, as `GET /account/service-accounts/permissions` lists them. */
export const TalendPermission = {
  userManagement: 'TMC_USER_MANAGEMENT',
  roleManagement: 'TMC_ROLE_MANAGEMENT',
  groupManagement: 'TMC_GROUP_MANAGEMENT',
  auditLogsView: 'AUDIT_LOGS_VIEW',
  engineUse: 'TMC_ENGINE_USE',
  serviceAccountManagement: 'TMC_SERVICE_ACCOUNT_MANAGEMENT',
} as const;

export const TALEND_PERMISSIONS: readonly { id: string; name: string }[] = [
  { id: TalendPermission.userManagement, name: 'Users - Manage' },
  { id: TalendPermission.roleManagement, name: 'Roles - Manage' },
  { id: TalendPermission.groupManagement, name: 'Groups - Manage' },
  { id: TalendPermission.auditLogsView, name: 'Audit logs - View' },
  { id: TalendPermission.engineUse, name: 'Engines - Use' },
  { id: TalendPermission.serviceAccountManagement, name: 'Service Account - Manage' },
];

/** Principal kinds: a Talend service account (id:secret) and a Talend user (personal access tokens). */
export const TalendKind = { serviceAccount: 'service_account', user: 'user' } as const;
export type TalendKindValue = (typeof TalendKind)[keyof typeof TalendKind];

/** Token kinds on `access_token.kind`. */
export const TalendTokenKind = { personal: 'personal', exchanged: 'exchanged' } as const;

/** Keys of `lifespans` (seconds); `KEYGATE_LIFESPANS={"talend":{"serviceAccountToken":900}}` overrides them. */
export const TalendLifespan = { serviceAccountToken: 'serviceAccountToken', personal: 'personal' } as const;
export const SERVICE_ACCOUNT_TOKEN_SECONDS = 30 * 60;

/** The `typ` of the service-account tokens this plugin signs (RFC 9068 access-token JWTs). */
export const TOKEN_TYPE = 'at+jwt';
/** The token issuer: `iss` is `KEYGATE_PUBLIC_URL/security/oauth`, with its endpoints under it. */
export const TOKEN_ISSUER_PATHS = {
  issuer: '/security/oauth',
  token: '/security/oauth/token',
  introspection: '/security/oauth/introspect',
  revocation: '/security/oauth/revoke',
  jwks: '/security/oauth/.well-known/jwks.json',
} as const;
/** The audience Talend's documentation sends; used when a token request names none. */
export const DEFAULT_AUDIENCE = 'https://api.talend.io';

export const MAX_ACTIVE_PERSONAL_TOKENS = 5;

/** Talend's own act (a REST route only): the service-account token exchange. */
export const TalendActions = {
  exchangeToken: 'talend.token.exchange',
} as const;

const SA = TalendPermission.serviceAccountManagement;
const USERS = TalendPermission.userManagement;
const ALL_KINDS = [TalendKind.user, TalendKind.serviceAccount];

/** The permission that manages principals of a kind: users need Users - Manage, service accounts Service Account - Manage. */
export function managingPermission(kind: string): string | null {
  if (kind === TalendKind.user) return USERS;
  if (kind === TalendKind.serviceAccount) return SA;
  return null;
}

/**
 * Who may do what: one entry per act, the same on both faces. Acting on a principal (or its
 * tokens) needs the permission that manages the principal's kind, or being that principal;
 * listing needs the permission of every kind listed. `kindOf` answers for a target the registry
 * could not load (a missing token of a named user).
 */
export function talendPolicy(kindOf: (principalId: string) => Promise<string | null>): Policy {
  const manages = (actor: Actor, kind: string | null | undefined) => {
    const permission = managingPermission(kind ?? '');
    return permission !== null && actor.permissions.has(permission);
  };
  const managesTarget = async (actor: Actor, target: AuthorizationTarget | undefined) => {
    if (typeof target?.ownerKind === 'string') return manages(actor, target.ownerKind);
    return target?.ownerId ? manages(actor, await kindOf(target.ownerId)) : false;
  };
  const managesKinds = (actor: Actor, target: AuthorizationTarget | undefined) => kindsOf(target).every((kind) => manages(actor, kind));
  const kindsOf = (target: AuthorizationTarget | undefined) => (Array.isArray(target?.kinds) && target.kinds.length ? (target.kinds as string[]) : ALL_KINDS);
  const needed = (kinds: readonly string[]) => `permission ${kinds.map((kind) => managingPermission(kind) ?? 'the operator').join(' and ')}`;
  const describeTarget = (target: AuthorizationTarget | undefined) =>
    typeof target?.ownerKind === 'string' ? needed([target.ownerKind]) : `permission ${SA} (service accounts) or ${USERS} (users)`;
  const onTarget = { check: managesTarget, describe: describeTarget };
  const principalOrManager = { self: true, ...onTarget };
  return {
    [Acts.createServiceAccount]: onTarget,
    [Acts.listServiceAccounts]: { check: managesKinds, describe: (target) => needed(kindsOf(target)) },
    [Acts.getServiceAccount]: principalOrManager,
    [Acts.updateServiceAccount]: onTarget,
    [Acts.deleteServiceAccount]: onTarget,
    [Acts.createAccessToken]: { self: true },
    [Acts.readTokens]: principalOrManager,
    [Acts.revokeToken]: principalOrManager,
    [Acts.revokeAllTokens]: principalOrManager,
    [Acts.listPermissions]: { anyPrincipal: true },
    [Acts.subscribeEvents]: principalOrManager,
    [TalendActions.exchangeToken]: { self: true },
    [Acts.viewAudit]: { permissions: [TalendPermission.auditLogsView] },
  };
}
