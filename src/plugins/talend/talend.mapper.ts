import type { AccessTokenEntity, PrincipalEntity } from '../../entities';
import type { ErrorShape } from '../route-kit';
import { talendError } from './talend.shapes';

/** Talend's service-account body: `{id, name, permissions, createdDate, lastModifiedDate}`. */
export function serviceAccountBody(account: PrincipalEntity, permissions: string[]) {
  return {
    id: account.clientId ?? account.id,
    name: account.name,
    permissions,
    createdDate: account.createdAt.toISOString(),
    lastModifiedDate: account.updatedAt.toISOString(),
  };
}

export function userBody(account: PrincipalEntity, permissions: string[]) {
  return { id: account.id, name: account.name, permissions, createdDate: account.createdAt.toISOString() };
}

export function personalTokenBody(token: AccessTokenEntity) {
  return {
    id: token.id,
    userId: token.ownerId,
    name: token.name,
    createdDate: token.createdAt.toISOString(),
    lastUsedDate: token.lastUsedAt ? token.lastUsedAt.toISOString() : null,
    expirationDate: token.expiresAt ? token.expiresAt.toISOString() : null,
  };
}

/** Every failure as JSON `{status, error, message}` (plus `field` / `unknown` where useful); an OAuth `error` detail wins. */
export const talendErrors: ErrorShape = {
  schema: talendError,
  render({ status, code, message, details }) {
    if (code === 'INTERNAL') return { body: { status: 500, error: 'internal_error', message: 'Internal server error' } };
    const { error, ...rest } = details;
    return {
      body: { status, error: typeof error === 'string' ? error : code.toLowerCase(), message, ...rest },
      headers: status === 401 ? { 'www-authenticate': 'Bearer realm="keygate"' } : undefined,
    };
  },
};

/** The token exchange: every authentication failure is one `invalid_client` with the Basic challenge. */
export const talendTokenErrors: ErrorShape = {
  schema: talendError,
  render(failure) {
    if (failure.code !== 'UNAUTHENTICATED') return talendErrors.render(failure);
    return {
      body: { status: 401, error: 'invalid_client', message: 'Client authentication failed: send Authorization: Basic base64(id:secret) of a service account.' },
      headers: { 'www-authenticate': 'Basic realm="keygate", charset="UTF-8"' },
    };
  },
};
