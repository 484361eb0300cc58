import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { codes, expectOk, graphql } from '../support/graphql';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

test('updateServiceAccount goes to the provider; a client id where an id belongs is named as such', async () => {
  expectOk(await graphql(t.url, 'mutation { createPersona(input: { provider: ATLAN, name: "Data", qualifiedName: "default/data" }) { id } }', {}, OPERATOR_TOKEN));
  const created = expectOk(
    await graphql(t.url, 'mutation { createServiceAccount(input: { provider: ATLAN, displayName: "gql-token", description: "", personaQualifiedNames: ["default/data"] }) { serviceAccount { id clientId personas { qualifiedName } } } }', {}, OPERATOR_TOKEN),
  ).createServiceAccount.serviceAccount;
  expect(created.personas).toEqual([{ qualifiedName: 'default/data' }]);

  const updated = expectOk(
    await graphql(t.url, 'mutation($id: ID!) { updateServiceAccount(id: $id, input: { displayName: "gql-token-2", description: "renamed" }) { name displayName description personas { qualifiedName } } }', { id: created.id }, OPERATOR_TOKEN),
  ).updateServiceAccount;
  expect(updated).toEqual({ name: 'gql-token-2', displayName: 'gql-token-2', description: 'renamed', personas: [] });

  const unknownPersona = await graphql(t.url, 'mutation($id: ID!) { updateServiceAccount(id: $id, input: { displayName: "x", personaQualifiedNames: ["default/nope"] }) { name } }', { id: created.id }, OPERATOR_TOKEN);
  expect(codes(unknownPersona)).toEqual(['BAD_USER_INPUT']);

  const byClientId = await graphql(t.url, 'mutation($id: ID!) { deleteServiceAccount(id: $id) { revokedTokenCount } }', { id: created.clientId }, OPERATOR_TOKEN);
  expect(codes(byClientId)).toEqual(['BAD_USER_INPUT']);
  expect(byClientId.errors![0].message).toContain('client ID');
  expect(byClientId.errors![0].message).toContain(created.id);

  const deleted = expectOk(await graphql(t.url, 'mutation($id: ID!) { deleteServiceAccount(id: $id) { revokedTokenCount } }', { id: created.id }, OPERATOR_TOKEN));
  expect(deleted.deleteServiceAccount.revokedTokenCount).toBe(1);
});
