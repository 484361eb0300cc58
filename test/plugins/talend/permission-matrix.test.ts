import type { TestGateway } from '../../support/gateway';
import { codes, expectOk, graphql, type GraphQLResponse } from '../../support/graphql';
import {
  ALL_PERMISSIONS,
  createServiceAccountGql,
  createUser,
  OPERATOR_TOKEN,
  rest,
  serviceAccountWithToken,
  startTalendGateway,
  userWithToken,
  type RestResponse,
} from './talend-support';

/**
 * Every action, on each face that offers it, × every kind of caller: a user holding the permission
 * the action needs (personal token), a user without it (personal token), a service account holding
 * it (exchanged token), one without it, the operator, and no credential at all.
 */
type Outcome = 'allowed' | 'forbidden' | 'unauthenticated' | 'bad_input';
const CALLERS = ['holderPat', 'nonHolderPat', 'holderSa', 'nonHolderSa', 'operator', 'anonymous'] as const;
type Caller = (typeof CALLERS)[number];

let t: TestGateway;
const tokens = {} as Record<Caller, string | undefined>;
beforeAll(async () => {
  t = await startTalendGateway();
  tokens.holderPat = (await userWithToken(t, 'holder@example.com', ALL_PERMISSIONS)).token;
  tokens.nonHolderPat = (await userWithToken(t, 'non-holder@example.com', ['TMC_ENGINE_USE'])).token;
  tokens.holderSa = (await serviceAccountWithToken(t, 'holder-sa', ALL_PERMISSIONS)).token;
  tokens.nonHolderSa = (await serviceAccountWithToken(t, 'non-holder-sa', ['TMC_ENGINE_USE'])).token;
  tokens.operator = OPERATOR_TOKEN;
  tokens.anonymous = undefined;
});
afterAll(() => t.close());

function restOutcome(res: RestResponse): Outcome | string {
  if (res.status >= 200 && res.status < 300) return 'allowed';
  const byStatus: Record<number, Outcome> = { 400: 'bad_input', 401: 'unauthenticated', 403: 'forbidden' };
  return byStatus[res.status] ?? `status ${res.status}: ${res.text}`;
}

function gqlOutcome(res: GraphQLResponse): Outcome | string {
  if (!res.errors?.length && res.data) return 'allowed';
  const byCode: Record<string, Outcome> = { BAD_USER_INPUT: 'bad_input', UNAUTHENTICATED: 'unauthenticated', FORBIDDEN: 'forbidden' };
  return byCode[codes(res)[0] ?? ''] ?? `code ${codes(res)[0]}: ${res.raw}`;
}

let n = 0;
const unique = (prefix: string) => `${prefix}-${++n}`;
const newServiceAccount = async () => expectOk(await createServiceAccountGql(t, unique('target-sa'), ['TMC_ENGINE_USE'])).createServiceAccount.serviceAccount.id as string;
const newUser = () => createUser(t, `${unique('target-user')}@example.com`, ['TMC_ENGINE_USE']);
const newUserWithToken = () => userWithToken(t, `${unique('target-owner')}@example.com`, ['TMC_ENGINE_USE']);

type Run = (token: string | undefined) => Promise<Outcome | string>;
const viaRest = (method: string, path: string | (() => Promise<string>), body?: unknown): Run => async (token) =>
  restOutcome(await rest(t, method, typeof path === 'string' ? path : await path(), { token, body }));
const viaGql = (query: string, variables: () => Promise<Record<string, unknown>> = async () => ({})): Run => async (token) =>
  gqlOutcome(await graphql(t.url, query, await variables(), token));

const CREATE_ACCOUNT = 'mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { serviceAccount { id } secret } }';
const CREATE_TOKEN = 'mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { accessToken { id } secret } }';

const A = 'allowed', F = 'forbidden', B = 'bad_input';
/** Expected outcomes for [holderPat, nonHolderPat, holderSa, nonHolderSa, operator]; anonymous is always unauthenticated. */
const PERMISSION_GATED = [A, F, A, F, A] as const;

const matrix: [action: string, face: string, run: Run, expected: readonly string[]][] = [
  ['list grantable permissions', 'REST', viaRest('GET', '/account/service-accounts/permissions'), [A, A, A, A, A]],
  ['list grantable permissions', 'GraphQL', viaGql('{ permissions(provider: TALEND) { id } }'), [A, A, A, A, A]],

  // TMC_SERVICE_ACCOUNT_MANAGEMENT
  ['create service account', 'REST', async (token) => viaRest('POST', '/account/service-accounts', { name: unique('sa'), permissions: ['TMC_ENGINE_USE'] })(token), PERMISSION_GATED],
  ['create service account', 'GraphQL', viaGql(CREATE_ACCOUNT, async () => ({ input: { provider: 'TALEND', name: unique('sa'), permissions: ['TMC_ENGINE_USE'] } })), PERMISSION_GATED],
  ['list service accounts', 'REST', viaRest('GET', '/account/service-accounts'), PERMISSION_GATED],
  ['read service account', 'REST', viaRest('GET', async () => `/account/service-accounts/${await newServiceAccount()}`), PERMISSION_GATED],
  ['read service account', 'GraphQL', viaGql('query($id: ID!) { serviceAccount(id: $id) { id } }', async () => ({ id: await newServiceAccount() })), PERMISSION_GATED],
  ['update service account', 'REST', async (token) => viaRest('PUT', `/account/service-accounts/${await newServiceAccount()}`, { name: unique('renamed') })(token), PERMISSION_GATED],
  ['delete service account', 'REST', viaRest('DELETE', async () => `/account/service-accounts/${await newServiceAccount()}`), PERMISSION_GATED],
  ['delete service account', 'GraphQL', viaGql('mutation($id: ID!) { deleteServiceAccount(id: $id) { revokedTokenCount } }', async () => ({ id: await newServiceAccount() })), PERMISSION_GATED],

  // Either management permission lists the provider's principals on the GraphQL face.
  ['list accounts', 'GraphQL', viaGql('{ serviceAccounts(provider: TALEND) { totalCount } }'), PERMISSION_GATED],

  // TMC_USER_MANAGEMENT
  ['create user', 'GraphQL', viaGql('mutation($user: String!) { createServiceAccount(input: { provider: TALEND, user: $user, permissions: ["TMC_ENGINE_USE"] }) { serviceAccount { id } } }', async () => ({ user: `${unique('u')}@example.com` })), PERMISSION_GATED],
  ['list users', 'REST', viaRest('GET', '/account/users'), PERMISSION_GATED],
  ['read user', 'REST', viaRest('GET', async () => `/account/users/${await newUser()}`), PERMISSION_GATED],
  ['update user', 'REST', async (token) => viaRest('PUT', `/account/users/${await newUser()}`, { permissions: [] })(token), PERMISSION_GATED],
  ['delete user', 'GraphQL', viaGql('mutation($id: ID!) { deleteServiceAccount(id: $id) { revokedTokenCount } }', async () => ({ id: await newUser() })), PERMISSION_GATED],
  ["list a user's personal tokens", 'REST', viaRest('GET', async () => `/account/users/${(await newUserWithToken()).id}/personal-access-tokens`), PERMISSION_GATED],
  ["list a user's personal tokens", 'GraphQL', viaGql('query($id: ID!) { serviceAccount(id: $id) { accessTokens { id } } }', async () => ({ id: (await newUserWithToken()).id })), PERMISSION_GATED],
  ["delete a user's personal token", 'REST', viaRest('DELETE', async () => {
    const owner = await newUserWithToken();
    return `/account/users/${owner.id}/personal-access-tokens/${owner.tokenId}`;
  }), PERMISSION_GATED],
  ["delete a user's personal token", 'GraphQL', viaGql('mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', async () => ({ id: (await newUserWithToken()).tokenId })), PERMISSION_GATED],
  ["delete all of a user's personal tokens", 'REST', viaRest('DELETE', async () => `/account/users/${(await newUserWithToken()).id}/personal-access-tokens`), PERMISSION_GATED],

  // Personal: a user's own tokens, whatever its permissions; service accounts have none.
  ['create own personal token', 'REST', async (token) => viaRest('POST', '/account/personal-access-tokens', { name: unique('own') })(token), [A, A, B, B, B]],
  ['create own personal token', 'GraphQL', viaGql(CREATE_TOKEN, async () => ({ input: { name: unique('own') } })), [A, A, B, B, B]],
  ["create another user's personal token", 'GraphQL', viaGql(CREATE_TOKEN, async () => ({ input: { serviceAccountId: await newUser(), name: 'x' } })), [F, F, F, F, A]],
  ['list own personal tokens', 'REST', viaRest('GET', '/account/personal-access-tokens'), [A, A, B, B, B]],
];

describe.each(matrix)('%s (%s)', (_action, _face, run, expected) => {
  test.each(CALLERS.map((caller, i) => [caller, caller === 'anonymous' ? 'unauthenticated' : expected[i]] as const))('%s → %s', async (caller, outcome) => {
    const result = await run(tokens[caller]);
    expect(String(result).split(':')[0]).toBe(outcome);
  });
});
