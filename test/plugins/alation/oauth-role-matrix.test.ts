import { ALATION_ROLES } from '../../../src/plugins/alation/alation.policy';
import { startTestGateway, type TestGateway } from '../../support/gateway';
import { expectOk, graphql, type GraphQLResponse } from '../../support/graphql';
import {
  clientToken,
  createOAuthClient,
  createUser,
  CREATE_ACCESS,
  CREATE_OAUTH_CLIENT,
  CREATE_REFRESH,
  CREATE_USER,
  IMPORT,
  rest,
  REVOKE,
  ROTATE_SIGNING_KEY,
  signedInUser,
  type RestResponse,
} from './alation-support';

/**
 * The role matrix for JWT-authenticated calls: every action × every role, once as an OAuth client
 * of that role (its access token, a JWT) and once as a user of that role (an API access token).
 * Both must land on the same expected cell.
 */
let t: TestGateway;

/** Who calls: a principal id and the headers that carry its credential. */
interface Caller {
  id: string;
  headers: Record<string, string>;
}
const jwtCallers = new Map<string, Caller>();
const userCallers = new Map<string, Caller>();
let n = 0;

beforeAll(async () => {
  t = await startTestGateway();
  for (const role of ALATION_ROLES) {
    const client = await createOAuthClient(t.url, role, { name: `matrix-client-${role.toLowerCase()}` });
    jwtCallers.set(role, { id: client.id, headers: { authorization: `Bearer ${await clientToken(t.url, client)}` } });
    const user = await signedInUser(t.url, `matrix-user-${role.toLowerCase()}@example.com`, role);
    userCallers.set(role, { id: user.id, headers: { TOKEN: user.token } });
  }
});
afterAll(() => t.close());

type Outcome = 'allowed' | 'FORBIDDEN';
function outcome(response: GraphQLResponse | RestResponse): Outcome {
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

const gql = (query: string, variables: Record<string, unknown>, me: Caller) => graphql(t.url, query, variables, undefined, me.headers);
const fresh = (prefix: string) => `${prefix}-${++n}@example.com`;
const ownRefresh = async (me: Caller) => expectOk(await gql(CREATE_REFRESH, { input: { name: 'matrix' } }, me)).createRefreshToken.refreshToken.id as string;
const victimClient = () => createOAuthClient(t.url, 'VIEWER', { name: fresh('victim-client') });

const ALL = [...ALATION_ROLES];
const SERVER_ADMIN = ['SERVER_ADMIN'];
const NOBODY: string[] = [];

const actions: [string, string[], (me: Caller) => Promise<GraphQLResponse | RestResponse>][] = [
  // The Alation matrix (role-matrix.test.ts), as it stands for access tokens.
  ['create a user', SERVER_ADMIN, (me) => gql(CREATE_USER, { input: { provider: 'ALATION', user: fresh('new'), email: fresh('new'), role: 'VIEWER' } }, me)],
  ['import users (preview)', SERVER_ADMIN, (me) => gql(IMPORT, { csv: `user,email,role\n${fresh('csv')},${fresh('csv')},VIEWER\n` }, me)],
  ['list users', SERVER_ADMIN, (me) => gql('{ serviceAccounts(provider: ALATION) { totalCount } }', {}, me)],
  ['delete a user', SERVER_ADMIN, async (me) => gql('mutation($id: ID!) { deleteServiceAccount(id: $id) { revokedTokenCount } }', { id: (await createUser(t.url, fresh('gone'), 'VIEWER')).id }, me)],
  ["list others' tokens", SERVER_ADMIN, async (me) => gql('query($id: ID!) { serviceAccount(id: $id) { refreshTokens { name status } } }', { id: (await signedInUser(t.url, fresh('other'), 'VIEWER')).id }, me)],
  ["list others' tokens (REST)", SERVER_ADMIN, async (me) => rest(t.url, '/keygate/alation/listRefreshTokens/', { user_id: (await signedInUser(t.url, fresh('other'), 'VIEWER')).userId }, me.headers)],
  ["revoke others' tokens", SERVER_ADMIN, async (me) => gql(REVOKE, { id: (await signedInUser(t.url, fresh('victim'), 'VIEWER')).refreshTokenId }, me)],
  ["revoke all of a user's tokens (REST)", SERVER_ADMIN, async (me) => rest(t.url, '/keygate/alation/revokeUserTokens/', { user_id: (await signedInUser(t.url, fresh('victim'), 'VIEWER')).userId }, me.headers)],
  ['create a refresh token for another user', NOBODY, async (me) => gql(CREATE_REFRESH, { input: { serviceAccountId: (await createUser(t.url, fresh('target'), 'VIEWER')).id, name: 'x' } }, me)],
  ['create own refresh token', ALL, (me) => gql(CREATE_REFRESH, { input: { name: 'mine' } }, me)],
  ['create own access token', ALL, async (me) => gql(CREATE_ACCESS, { input: { refreshTokenId: await ownRefresh(me) } }, me)],
  ['regenerate own access token', ALL, async (me) => gql(CREATE_ACCESS, { input: { refreshTokenId: await ownRefresh(me), regenerate: true } }, me)],
  ['list own tokens', ALL, (me) => gql('{ viewer { serviceAccount { refreshTokens { name status accessToken { status } } } } }', {}, me)],
  ['list own tokens (REST)', ALL, (me) => rest(t.url, '/keygate/alation/listRefreshTokens/', {}, me.headers)],
  ['revoke own token', ALL, async (me) => gql(REVOKE, { id: await ownRefresh(me) }, me)],
  // OAuth administration: Server Admins only.
  ['create an OAuth client', SERVER_ADMIN, (me) => gql(CREATE_OAUTH_CLIENT, { input: { name: fresh('client'), accessTokenLifetimeSeconds: 300, role: 'VIEWER' } }, me)],
  ['regenerate a client secret (REST)', SERVER_ADMIN, async (me) => rest(t.url, `/oauth/v2/clients/${(await victimClient()).clientId}/secret/`, {}, me.headers)],
  ["revoke a client's tokens (REST)", SERVER_ADMIN, async (me) => rest(t.url, `/oauth/v2/clients/${(await victimClient()).clientId}/revoke-tokens/`, {}, me.headers)],
  ['rotate the signing key', SERVER_ADMIN, (me) => gql(ROTATE_SIGNING_KEY, {}, me)],
];

const cells = actions.flatMap(([action, allowed, run]) =>
  ALATION_ROLES.map((role) => ({ action, role, expected: (allowed.includes(role) ? 'allowed' : 'FORBIDDEN') as Outcome, run })),
);

test.each(cells)('$action as $role: $expected, with a JWT as with an access token', async ({ role, expected, run }) => {
  expect(outcome(await run(jwtCallers.get(role)!))).toBe(expected);
  expect(outcome(await run(userCallers.get(role)!))).toBe(expected);
});

test('the callers are who they claim: a JWT is the OAuth client, an access token the user', async () => {
  for (const role of ALATION_ROLES) {
    const asClient = expectOk(await gql('{ viewer { role serviceAccount { id kind } } }', {}, jwtCallers.get(role)!)).viewer;
    expect(asClient).toEqual({ role, serviceAccount: { id: jwtCallers.get(role)!.id, kind: 'oauth_client' } });
    const asUser = expectOk(await gql('{ viewer { role serviceAccount { id kind } } }', {}, userCallers.get(role)!)).viewer;
    expect(asUser).toEqual({ role, serviceAccount: { id: userCallers.get(role)!.id, kind: 'user' } });
  }
});
