import { exampleAccountWithToken } from '../support/example-flow';
import { startTestGateway, type TestGateway, OPERATOR_TOKEN } from '../support/gateway';
import { expectOk, graphql } from '../support/graphql';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

test('viewer for the operator and an example account', async () => {
  const viewer = expectOk(await graphql(t.url, '{ viewer { isOperator name } }', {}, OPERATOR_TOKEN)).viewer;
  expect(viewer).toEqual({ isOperator: true, name: 'operator' });
  const account = await exampleAccountWithToken(t.url, 'svc-1');
  const me = expectOk(await graphql(t.url, '{ viewer { isOperator name provider role serviceAccount { id } } }', {}, account.token)).viewer;
  expect(me).toEqual({ isOperator: false, name: 'svc-1', provider: 'EXAMPLE', role: 'MEMBER', serviceAccount: { id: account.id } });
});
