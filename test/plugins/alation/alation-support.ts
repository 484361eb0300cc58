import { OPERATOR_TOKEN } from '../../support/gateway';
import { expectOk, graphql } from '../../support/graphql';

export interface RestResponse {
  status: number;
  body: any;
  raw: string;
}

/** A POST to one of Alation's REST routes, JSON body, the way `requests.post(url, json=...)` sends it. */
export async function rest(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<RestResponse> {
  const response = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const raw = await response.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // keep raw
  }
  return { status: response.status, body: parsed, raw };
}

/** `2022-11-15T21:52:48.116496Z`: ISO-8601 UTC, microseconds, `Z`. */
export const VENDOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export const CREATE_USER = `mutation($input: CreateServiceAccountInput!) {
  createServiceAccount(input: $input) { serviceAccount { id name role userId email displayName title kind } secret } }`;

export interface AlationUser {
  id: string;
  userId: number;
  name: string;
}

/** The operator creates an Alation user (SSO when no password is given). */
export async function createUser(url: string, user: string, role: string, password?: string, token = OPERATOR_TOKEN): Promise<AlationUser> {
  const created = expectOk(
    await graphql(url, CREATE_USER, { input: { provider: 'ALATION', user, email: user.includes('@') ? user : `${user}@example.com`, role, password } }, token),
  ).createServiceAccount.serviceAccount;
  return { id: created.id, userId: Number(created.userId), name: created.name };
}

export interface SignedInUser extends AlationUser {
  refreshTokenId: string;
  refreshSecret: string;
  accessTokenId: string;
  /** An API access token of the user's own: the `TOKEN` header value. */
  token: string;
}

/**
 * A user signed in to keygate: the operator (standing in for the UI session keygate does not have)
 * issues the user's first refresh token, and an access token from it. No password, so no scrypt.
 */
export async function signedInUser(url: string, user: string, role: string): Promise<SignedInUser> {
  const account = await createUser(url, user, role);
  const refresh = expectOk(
    await graphql(url, `mutation($input: CreateRefreshTokenInput!) { createRefreshToken(input: $input) { refreshToken { id } secret } }`, { input: { serviceAccountId: account.id, name: 'session' } }, OPERATOR_TOKEN),
  ).createRefreshToken;
  const access = expectOk(
    await graphql(url, `mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { accessToken { id } secret } }`, { input: { refreshTokenId: refresh.refreshToken.id } }, OPERATOR_TOKEN),
  ).createAccessToken;
  return { ...account, refreshTokenId: refresh.refreshToken.id, refreshSecret: refresh.secret, accessTokenId: access.accessToken.id, token: access.secret };
}

export const CREATE_REFRESH = `mutation($input: CreateRefreshTokenInput!) {
  createRefreshToken(input: $input) { refreshToken { id name status createdAt expiresAt } secret } }`;
export const CREATE_ACCESS = `mutation($input: CreateAccessTokenInput!) {
  createAccessToken(input: $input) { accessToken { id status kind name createdAt expiresAt } secret } }`;
export const REVOKE = `mutation($id: ID!) { revokeToken(id: $id) { revokedIds refreshToken { status } accessToken { status } } }`;
export const IMPORT = `mutation($csv: String!, $confirm: Boolean) {
  importServiceAccounts(provider: ALATION, csv: $csv, confirm: $confirm) {
    confirmed total valid errors { line field message } serviceAccounts { id name role userId email displayName title } } }`;

export const DAY = 24 * 3600 * 1000;
