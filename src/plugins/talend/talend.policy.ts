import { CoreActions, type Actor, type AuthorizationTarget, type Policy } from '../../core';

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

/** The `iss` and `typ` of the service-account tokens this plugin signs (RFC 9068 access-token JWTs). */
export const TOKEN_ISSUER = 'urn:keygate:talend';
export const TOKEN_TYPE = 'at+jwt';
/** The audience Talend's documentation sends; used when a token request names none. */
export const DEFAULT_AUDIENCE = 'https://api.talend.io';

export const MAX_ACTIVE_PERSONAL_TOKENS = 5;

/** Talend's own actions, next to the core ones the GraphQL face uses. */
export const TalendActions = {
  createServiceAccount: 'talend.serviceAccount.create',
  listServiceAccounts: 'talend.serviceAccount.list',
  readServiceAccount: 'talend.serviceAccount.read',
  updateServiceAccount: CoreActions.updateServiceAccount,
  deleteServiceAccount: 'talend.serviceAccount.delete',
  createUser: 'talend.user.create',
  listUsers: 'talend.user.list',
  readUser: 'talend.user.read',
  updateUser: 'talend.user.update',
  deleteUser: 'talend.user.delete',
  exchangeToken: 'talend.token.exchange',
  createPersonalToken: CoreActions.createAccessToken,
  listPersonalTokens: 'talend.personalToken.list',
  deletePersonalToken: 'talend.personalToken.delete',
} as const;

const SA = TalendPermission.serviceAccountManagement;
const USERS = TalendPermission.userManagement;

/** The permission that manages principals of a kind: users need Users - Manage, service accounts Service Account - Manage. */
export function managingPermission(kind: string): string | null {
  if (kind === TalendKind.user) return USERS;
  if (kind === TalendKind.serviceAccount) return SA;
  return null;
}

/**
 * Who may do what. Talend's own actions need no database to decide; the core actions of the
 * GraphQL face that can target either kind (`serviceAccount(id)`, `revokeToken`, `node`) look the
 * target's kind up through `kindOf`, which core only calls outside its transactions.
 */
export function talendPolicy(kindOf: (principalId: string) => Promise<string | null>): Policy {
  const managesTarget = async (actor: Actor, target: AuthorizationTarget | undefined) => {
    if (!target?.ownerId) return false;
    const kind = typeof target.ownerKind === 'string' ? target.ownerKind : await kindOf(target.ownerId);
    const permission = managingPermission(kind ?? '');
    return permission !== null && actor.permissions.has(permission);
  };
  const managesSomething = (actor: Actor) => actor.permissions.has(SA) || actor.permissions.has(USERS);
  return {
    [TalendActions.createServiceAccount]: { permissions: [SA] },
    [TalendActions.listServiceAccounts]: { permissions: [SA] },
    [TalendActions.readServiceAccount]: { permissions: [SA], self: true },
    [TalendActions.updateServiceAccount]: { permissions: [SA] },
    [TalendActions.deleteServiceAccount]: { permissions: [SA] },
    [TalendActions.createUser]: { permissions: [USERS] },
    [TalendActions.listUsers]: { permissions: [USERS] },
    [TalendActions.readUser]: { permissions: [USERS], self: true },
    [TalendActions.updateUser]: { permissions: [USERS] },
    [TalendActions.deleteUser]: { permissions: [USERS] },
    [TalendActions.exchangeToken]: { self: true },
    [TalendActions.createPersonalToken]: { self: true },
    [TalendActions.listPersonalTokens]: { permissions: [USERS], self: true },
    [TalendActions.deletePersonalToken]: { permissions: [USERS], self: true },
    // The GraphQL face's core actions.
    [CoreActions.listServiceAccounts]: { check: managesSomething },
    [CoreActions.readServiceAccount]: { self: true, check: managesTarget },
    // Coarse on purpose: core asks inside its delete transaction; the plugin's hook has already
    // required deleteServiceAccount or deleteUser for the target's kind.
    [CoreActions.deleteServiceAccount]: { check: managesSomething },
    [CoreActions.readToken]: { self: true, check: managesTarget },
    [CoreActions.revokeToken]: { self: true, check: managesTarget },
    [CoreActions.listPermissions]: { anyPrincipal: true },
    [CoreActions.subscribeEvents]: { self: true, check: managesTarget },
    [CoreActions.viewAudit]: { permissions: [TalendPermission.auditLogsView] },
  };
}
