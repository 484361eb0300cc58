import { exampleAccountWithToken } from '../support/example-flow';
import { startTestGateway, type TestGateway, OPERATOR_TOKEN } from '../support/gateway';
import { ViewerDocument } from '../generated/graphql';
import { expectOk, graphql, typed } from '../support/graphql';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

test('viewer for the operator and an example account', async () => {
  const viewer = expectOk(await typed(t.url, ViewerDocument, {}, OPERATOR_TOKEN)).viewer;
  expect(viewer).toEqual({ isOperator: true, name: 'operator', kind: 'operator', provider: null, role: null, permissions: [] });
  const account = await exampleAccountWithToken(t.url, 'svc-1');
  const me = expectOk(await graphql(t.url, '{ viewer { isOperator name provider role serviceAccount { id } } }', {}, account.token)).viewer;
  expect(me).toEqual({ isOperator: false, name: 'svc-1', provider: 'EXAMPLE', role: 'MEMBER', serviceAccount: { id: account.id } });
});
