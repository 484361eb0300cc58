import { OPERATOR_TOKEN } from '../../support/gateway';
import { expectOk, graphql, type GraphQLResponse } from '../../support/graphql';
import { ALATION_ROLES } from '../../../src/plugins/alation/alation.policy';
import { rest as sharedRest, type RestResponse } from '../../support/rest';

export type { RestResponse } from '../../support/rest';

/** A POST to one of Alation's REST routes, JSON body, the way `requests.post(url, json=...)` sends it. */
export function rest(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<RestResponse> {
  return sharedRest(url, 'POST', path, { ...(typeof body === 'string' ? { rawBody: body } : { body }), headers });
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

// ---- OAuth 2.0 clients -------------------------------------------------------------------------

export const CREATE_OAUTH_CLIENT = `mutation($input: CreateOAuthClientInput!) {
  createOAuthClient(input: $input) { client { id clientId name role serviceAccount { id kind role name } } clientSecret } }`;
export const ROTATE_SIGNING_KEY = 'mutation { rotateSigningKey { kid publishedKids } }';

export interface OAuthClient {
  id: string;
  clientId: string;
  name: string;
  role: string;
  clientSecret: string;
}

let clients = 0;
/** An OAuth client made through GraphQL (by the operator unless a token is given). */
export async function createOAuthClient(url: string, role: string, options: { name?: string; lifetime?: number; token?: string } = {}): Promise<OAuthClient> {
  const input = { name: options.name ?? `client-${++clients}-${role.toLowerCase()}`, accessTokenLifetimeSeconds: options.lifetime ?? 3600, role };
  const { client, clientSecret } = expectOk(await graphql(url, CREATE_OAUTH_CLIENT, { input }, options.token ?? OPERATOR_TOKEN)).createOAuthClient;
  return { id: client.id, clientId: client.clientId, name: client.name, role: client.role, clientSecret };
}

export interface FormResponse extends RestResponse {
  headers: Headers;
}

/** A form-encoded request, the way OAuth clients (curl -d, requests.post(data=...)) send one. */
export async function form(url: string, path: string, params: Record<string, string> | string, headers: Record<string, string> = {}, method = 'POST'): Promise<FormResponse> {
  const response = await fetch(url + path, {
    method,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: method === 'GET' ? undefined : typeof params === 'string' ? params : new URLSearchParams(params).toString(),
  });
  const raw = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(raw);
  } catch {
    // keep raw
  }
  return { status: response.status, body, raw, headers: response.headers };
}

/** `Authorization: Basic` per RFC 6749 §2.3.1: id and secret form-urlencoded, then base64. */
export const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A client-credentials access token (HTTP Basic). */
export async function clientToken(url: string, client: Pick<OAuthClient, 'clientId' | 'clientSecret'>): Promise<string> {
  const response = await form(url, '/oauth/v2/token/', { grant_type: 'client_credentials' }, { authorization: basic(client.clientId, client.clientSecret) });
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${response.raw}`);
  return response.body.access_token as string;
}

/** Header and claims of a compact JWS, unverified (to look at, or to tamper with). */
export function jwtParts(token: string): { header: any; claims: any; signature: string } {
  const [header, claims, signature] = token.split('.');
  const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  return { header: json(header), claims: json(claims), signature };
}

/** A compact JWS with the given header and claims and the given signature part. */
export function jwtFrom(header: object, claims: object, signature: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(claims)}.${signature}`;
}

/** `jose`, the independent JWT client (a devDependency), loaded the way any Node program loads it. */
export function jose(): typeof import('jose') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('jose');
}

// ---- the role matrix -----------------------------------------------------------------------------

/** Who calls in a matrix cell: a principal id and the headers that carry its credential. */
export interface MatrixCaller {
  id: string;
  headers: Record<string, string>;
}
export type MatrixOutcome = 'allowed' | 'FORBIDDEN';
export type MatrixAction = [action: string, allowedRoles: readonly string[], run: (me: MatrixCaller) => Promise<GraphQLResponse | RestResponse>];

/** Allowed, or FORBIDDEN / 403; anything else fails the cell. */
export function matrixOutcome(response: GraphQLResponse | RestResponse): MatrixOutcome {
  if ('errors' in response && response.errors?.length) {
    if (response.errors[0].extensions?.code === 'FORBIDDEN') return 'FORBIDDEN';
    throw new Error(`Unexpected: ${response.raw}`);
  }
  if ('errors' in response) return 'allowed';
  const reply = response as RestResponse;
  if (reply.status === 403 && (reply.body.code === '403000' || reply.body.error === 'access_denied')) return 'FORBIDDEN';
  if (reply.status === 200 || reply.status === 201) return 'allowed';
  throw new Error(`Unexpected: ${reply.status} ${reply.raw}`);
}

/** Every Alation action with the roles that may do it, run through the real endpoints as `me`. */
export function alationMatrix(url: string): MatrixAction[] {
  let n = 0;
  const gql = (query: string, variables: Record<string, unknown>, me: MatrixCaller) => graphql(url, query, variables, undefined, me.headers);
  const fresh = (prefix: string) => `${prefix}-${++n}@example.com`;
  const ownRefresh = async (me: MatrixCaller) => expectOk(await gql(CREATE_REFRESH, { input: { name: 'matrix' } }, me)).createRefreshToken.refreshToken.id as string;
  const victimClient = () => createOAuthClient(url, 'VIEWER', { name: fresh('victim-client') });
  const ALL = [...ALATION_ROLES];
  const SERVER_ADMIN = ['SERVER_ADMIN'];
  const NOBODY: string[] = [];
  return [
    ['create a user', SERVER_ADMIN, (me) => gql(CREATE_USER, { input: { provider: 'ALATION', user: fresh('new'), email: fresh('new'), role: 'VIEWER' } }, me)],
    ['import users (preview)', SERVER_ADMIN, (me) => gql(IMPORT, { csv: `user,email,role\n${fresh('csv')},${fresh('csv')},VIEWER\n` }, me)],
    ['list users', SERVER_ADMIN, (me) => gql('{ serviceAccounts(provider: ALATION) { totalCount } }', {}, me)],
    ['delete a user', SERVER_ADMIN, async (me) => gql('mutation($id: ID!) { deleteServiceAccount(id: $id) { revokedTokenCount } }', { id: (await createUser(url, fresh('gone'), 'VIEWER')).id }, me)],
    ["list others' tokens", SERVER_ADMIN, async (me) => gql('query($id: ID!) { serviceAccount(id: $id) { refreshTokens { name status } } }', { id: (await signedInUser(url, fresh('other'), 'VIEWER')).id }, me)],
    ["list others' tokens (REST)", SERVER_ADMIN, async (me) => rest(url, '/keygate/alation/listRefreshTokens/', { user_id: (await signedInUser(url, fresh('other'), 'VIEWER')).userId }, me.headers)],
    ["revoke others' tokens", SERVER_ADMIN, async (me) => gql(REVOKE, { id: (await signedInUser(url, fresh('victim'), 'VIEWER')).refreshTokenId }, me)],
    ["revoke all of a user's tokens (REST)", SERVER_ADMIN, async (me) => rest(url, '/keygate/alation/revokeUserTokens/', { user_id: (await signedInUser(url, fresh('victim'), 'VIEWER')).userId }, me.headers)],
    ['create a refresh token for another user', NOBODY, async (me) => gql(CREATE_REFRESH, { input: { serviceAccountId: (await createUser(url, fresh('target'), 'VIEWER')).id, name: 'x' } }, me)],
    ['create own refresh token', ALL, (me) => gql(CREATE_REFRESH, { input: { name: 'mine' } }, me)],
    ['create own access token', ALL, async (me) => gql(CREATE_ACCESS, { input: { refreshTokenId: await ownRefresh(me) } }, me)],
    ['regenerate own access token', ALL, async (me) => gql(CREATE_ACCESS, { input: { refreshTokenId: await ownRefresh(me), regenerate: true } }, me)],
    ['list own tokens', ALL, (me) => gql('{ viewer { serviceAccount { refreshTokens { name status accessToken { status } } } } }', {}, me)],
    ['list own tokens (REST)', ALL, (me) => rest(url, '/keygate/alation/listRefreshTokens/', {}, me.headers)],
    ['revoke own token', ALL, async (me) => gql(REVOKE, { id: await ownRefresh(me) }, me)],
    ['create an OAuth client', SERVER_ADMIN, (me) => gql(CREATE_OAUTH_CLIENT, { input: { name: fresh('client'), accessTokenLifetimeSeconds: 300, role: 'VIEWER' } }, me)],
    ['regenerate a client secret (REST)', SERVER_ADMIN, async (me) => rest(url, `/oauth/v2/clients/${(await victimClient()).clientId}/secret/`, {}, me.headers)],
    ["revoke a client's tokens (REST)", SERVER_ADMIN, async (me) => rest(url, `/oauth/v2/clients/${(await victimClient()).clientId}/revoke-tokens/`, {}, me.headers)],
    ['rotate the signing key', SERVER_ADMIN, (me) => gql(ROTATE_SIGNING_KEY, {}, me)],
  ];
}
