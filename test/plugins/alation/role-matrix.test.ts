import { ALATION_ROLES } from '../../../src/plugins/alation/alation.policy';
import { startTestGateway, type TestGateway } from '../../support/gateway';
import { alationMatrix, matrixOutcome, signedInUser, type MatrixCaller } from './alation-support';

/** Every action × every role, through the real endpoints with Alation access tokens: allowed, or FORBIDDEN / 403. */
let t: TestGateway;
const callers = new Map<string, MatrixCaller>();
let actions: ReturnType<typeof alationMatrix> = [];

beforeAll(async () => {
  t = await startTestGateway();
  actions = alationMatrix(t.url);
  for (const role of ALATION_ROLES) {
    const user = await signedInUser(t.url, `matrix-${role.toLowerCase()}@example.com`, role);
    callers.set(role, { id: user.id, headers: { TOKEN: user.token } });
  }
});
afterAll(() => t.close());

// The table is built once the gateway's URL is known; its rows are the same for every run.
const rows = alationMatrix('http://matrix.invalid');
const cells = rows.flatMap(([action, allowed], index) =>
  ALATION_ROLES.map((role) => ({ action, role, index, expected: allowed.includes(role) ? 'allowed' : 'FORBIDDEN' })),
);

test.each(cells)('$action as $role: $expected', async ({ role, index, expected }) => {
  const [, , run] = actions[index];
  expect(matrixOutcome(await run(callers.get(role)!))).toBe(expected);
});
