import { ALATION_ROLES } from '../../../src/plugins/alation/alation.policy';
import { startTestGateway, type TestGateway } from '../../support/gateway';
import { expectOk, graphql, type GraphQLResponse } from '../../support/graphql';
import { CREATE_ACCESS, CREATE_REFRESH, CREATE_USER, createUser, IMPORT, rest, REVOKE, signedInUser, type RestResponse, type SignedInUser } from './alation-support';

/** Every action × every role, through the real endpoints: allowed, or FORBIDDEN / 403. */
let t: TestGateway;
const actors = new Map<string, SignedInUser>();
let n = 0;

beforeAll(async () => {
  t = await startTestGateway();
  for (const role of ALATION_ROLES) actors.set(role, await signedInUser(t.url, `matrix-${role.toLowerCase()}@example.com`, role));
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
  if (reply.status === 403 && reply.body.code === '403000') return 'FORBIDDEN';
  if (reply.status === 200 || reply.status === 201) return 'allowed';
  throw new Error(`Unexpected: ${reply.status} ${reply.raw}`);
}

const gql = (query: string, variables: Record<string, unknown>, me: SignedInUser) => graphql(t.url, query, variables, undefined, { TOKEN: me.token });
const fresh = (prefix: string) => `${prefix}-${++n}@example.com`;
const ownRefresh = async (me: SignedInUser) => expectOk(await gql(CREATE_REFRESH, { input: { name: 'matrix' } }, me)).createRefreshToken.refreshToken.id as string;

const ALL = [...ALATION_ROLES];
const SERVER_ADMIN = ['SERVER_ADMIN'];
const NOBODY: string[] = [];

const actions: [string, string[], (me: SignedInUser) => Promise<GraphQLResponse | RestResponse>][] = [
  ['create a user', SERVER_ADMIN, (me) => gql(CREATE_USER, { input: { provider: 'ALATION', user: fresh('new'), email: fresh('new'), role: 'VIEWER' } }, me)],
  ['import users (preview)', SERVER_ADMIN, (me) => gql(IMPORT, { csv: `user,email,role\n${fresh('csv')},${fresh('csv')},VIEWER\n` }, me)],
  ['list users', SERVER_ADMIN, (me) => gql('{ serviceAccounts(provider: ALATION) { totalCount } }', {}, me)],
  ['delete a user', SERVER_ADMIN, async (me) => gql('mutation($id: ID!) { deleteServiceAccount(id: $id) { revokedTokenCount } }', { id: (await createUser(t.url, fresh('gone'), 'VIEWER')).id }, me)],
  ["list others' tokens", SERVER_ADMIN, async (me) => gql('query($id: ID!) { serviceAccount(id: $id) { refreshTokens { name status } } }', { id: (await signedInUser(t.url, fresh('other'), 'VIEWER')).id }, me)],
  ["list others' tokens (REST)", SERVER_ADMIN, async (me) => rest(t.url, '/keygate/alation/listRefreshTokens/', { user_id: (await signedInUser(t.url, fresh('other'), 'VIEWER')).userId }, { TOKEN: me.token })],
  ["revoke others' tokens", SERVER_ADMIN, async (me) => gql(REVOKE, { id: (await signedInUser(t.url, fresh('victim'), 'VIEWER')).refreshTokenId }, me)],
  ["revoke all of a user's tokens (REST)", SERVER_ADMIN, async (me) => rest(t.url, '/keygate/alation/revokeUserTokens/', { user_id: (await signedInUser(t.url, fresh('victim'), 'VIEWER')).userId }, { TOKEN: me.token })],
  ['create a refresh token for another user', NOBODY, async (me) => gql(CREATE_REFRESH, { input: { serviceAccountId: (await createUser(t.url, fresh('target'), 'VIEWER')).id, name: 'x' } }, me)],
  ['create own refresh token', ALL, (me) => gql(CREATE_REFRESH, { input: { name: 'mine' } }, me)],
  ['create own access token', ALL, async (me) => gql(CREATE_ACCESS, { input: { refreshTokenId: await ownRefresh(me) } }, me)],
  ['regenerate own access token', ALL, async (me) => gql(CREATE_ACCESS, { input: { refreshTokenId: await ownRefresh(me), regenerate: true } }, me)],
  ['list own tokens', ALL, (me) => gql('{ viewer { serviceAccount { refreshTokens { name status accessToken { status } } } } }', {}, me)],
  ['list own tokens (REST)', ALL, (me) => rest(t.url, '/keygate/alation/listRefreshTokens/', {}, { TOKEN: me.token })],
  ['revoke own token', ALL, async (me) => gql(REVOKE, { id: await ownRefresh(me) }, me)],
];

const cells = actions.flatMap(([action, allowed, run]) =>
  ALATION_ROLES.map((role) => ({ action, role, expected: (allowed.includes(role) ? 'allowed' : 'FORBIDDEN') as Outcome, run })),
);

test.each(cells)('$action as $role: $expected', async ({ role, expected, run }) => {
  expect(outcome(await run(actors.get(role)!))).toBe(expected);
});
