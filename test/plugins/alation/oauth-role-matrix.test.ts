import { ALATION_ROLES } from '../../../src/plugins/alation/alation.policy';
import { startTestGateway, type TestGateway } from '../../support/gateway';
import { expectOk, graphql } from '../../support/graphql';
import { alationMatrix, clientToken, createOAuthClient, matrixOutcome, signedInUser, type MatrixCaller, type MatrixOutcome } from './alation-support';

/**
 * The role matrix for JWT-authenticated calls: every action × every role, once as an OAuth client
 * of that role (its access token, a JWT) and once as a user of that role (an API access token).
 * Both must land on the same expected cell. The table is `alationMatrix` (alation-support.ts).
 */
let t: TestGateway;
const jwtCallers = new Map<string, MatrixCaller>();
const userCallers = new Map<string, MatrixCaller>();
// The gateway's URL is known only once it runs; the table is built then.
let actions: ReturnType<typeof alationMatrix> = [];

beforeAll(async () => {
  t = await startTestGateway();
  actions = alationMatrix(t.url);
  for (const role of ALATION_ROLES) {
    const client = await createOAuthClient(t.url, role, { name: `matrix-client-${role.toLowerCase()}` });
    jwtCallers.set(role, { id: client.id, headers: { authorization: `Bearer ${await clientToken(t.url, client)}` } });
    const user = await signedInUser(t.url, `matrix-user-${role.toLowerCase()}@example.com`, role);
    userCallers.set(role, { id: user.id, headers: { TOKEN: user.token } });
  }
});
afterAll(() => t.close());

// Names and expectations need no gateway: read them from a table built for a placeholder URL.
const cells = alationMatrix('http://unused').flatMap(([action, allowed], index) =>
  ALATION_ROLES.map((role) => ({ action, index, role, expected: (allowed.includes(role) ? 'allowed' : 'FORBIDDEN') as MatrixOutcome })),
);

test.each(cells)('$action as $role: $expected, with a JWT as with an access token', async ({ index, role, expected }) => {
  const run = actions[index][2];
  expect(matrixOutcome(await run(jwtCallers.get(role)!))).toBe(expected);
  expect(matrixOutcome(await run(userCallers.get(role)!))).toBe(expected);
});

test('the callers are who they claim: a JWT is the OAuth client, an access token the user', async () => {
  const viewer = async (me: MatrixCaller) => expectOk(await graphql(t.url, '{ viewer { role serviceAccount { id kind } } }', {}, undefined, me.headers)).viewer;
  for (const role of ALATION_ROLES) {
    expect(await viewer(jwtCallers.get(role)!)).toEqual({ role, serviceAccount: { id: jwtCallers.get(role)!.id, kind: 'oauth_client' } });
    expect(await viewer(userCallers.get(role)!)).toEqual({ role, serviceAccount: { id: userCallers.get(role)!.id, kind: 'user' } });
  }
});
