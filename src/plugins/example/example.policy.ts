import { Acts, type Policy } from '../../core';

export const EXAMPLE_ROLES = ['ADMIN', 'MEMBER'] as const;

export const EXAMPLE_PERMISSIONS = [
  { id: 'EXAMPLE_READ', name: 'Things - Read' },
  { id: 'EXAMPLE_WRITE', name: 'Things - Write' },
];

/** One entry per act the provider allows; an act without one is the operator's only. */
export const examplePolicy: Policy = {
  [Acts.createServiceAccount]: { roles: ['ADMIN'] },
  [Acts.listServiceAccounts]: { roles: ['ADMIN'] },
  [Acts.getServiceAccount]: { roles: ['ADMIN'], self: true },
  [Acts.deleteServiceAccount]: { roles: ['ADMIN'] },
  [Acts.createRefreshToken]: { roles: ['ADMIN'], self: true },
  [Acts.createAccessToken]: { roles: ['ADMIN'], self: true },
  [Acts.readTokens]: { roles: ['ADMIN'], self: true },
  [Acts.revokeToken]: { roles: ['ADMIN'], self: true },
  [Acts.revokeAccessTokens]: { roles: ['ADMIN'], self: true },
  [Acts.revokeAllTokens]: { roles: ['ADMIN'], self: true },
  [Acts.listPermissions]: { anyPrincipal: true },
  [Acts.listPersonas]: { anyPrincipal: true },
  [Acts.createPersona]: { roles: ['ADMIN'] },
  [Acts.subscribeEvents]: { roles: ['ADMIN'], self: true },
};
