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

test('Talend accounts change name and permissions through GraphQL; tokens resolve through node(id)', async () => {
  const created = expectOk(
    await graphql(t.url, 'mutation { createServiceAccount(input: { provider: TALEND, name: "gql-sa", permissions: ["TMC_ENGINE_USE"] }) { serviceAccount { id } } }', {}, OPERATOR_TOKEN),
  ).createServiceAccount.serviceAccount;
  const updated = expectOk(
    await graphql(t.url, 'mutation($id: ID!) { updateServiceAccount(id: $id, input: { name: "gql-sa-2", permissions: ["AUDIT_LOGS_VIEW"] }) { name permissions { id } } }', { id: created.id }, OPERATOR_TOKEN),
  ).updateServiceAccount;
  expect(updated).toEqual({ name: 'gql-sa-2', permissions: [{ id: 'AUDIT_LOGS_VIEW' }] });
  const users = expectOk(await graphql(t.url, '{ serviceAccounts(provider: TALEND, kind: "service_account") { nodes { name kind } } }', {}, OPERATOR_TOKEN));
  expect(users.serviceAccounts.nodes).toEqual([{ name: 'gql-sa-2', kind: 'service_account' }]);

  const example = expectOk(await graphql(t.url, 'mutation { createServiceAccount(input: { provider: EXAMPLE, name: "node-owner" }) { serviceAccount { id } } }', {}, OPERATOR_TOKEN));
  const refresh = expectOk(await graphql(t.url, 'mutation($id: ID!) { createRefreshToken(input: { serviceAccountId: $id, name: "n" }) { refreshToken { id } } }', { id: example.createServiceAccount.serviceAccount.id }, OPERATOR_TOKEN));
  const node = expectOk(await graphql(t.url, 'query($id: ID!) { node(id: $id) { __typename ... on Token { status } ... on RefreshToken { name } } }', { id: refresh.createRefreshToken.refreshToken.id }, OPERATOR_TOKEN));
  expect(node.node).toEqual({ __typename: 'RefreshToken', status: 'ACTIVE', name: 'n' });
});

test('bulk revocations: the access tokens of a refresh token, and every token of an account', async () => {
  const account = expectOk(await graphql(t.url, 'mutation { createServiceAccount(input: { provider: EXAMPLE, name: "bulk" }) { serviceAccount { id } } }', {}, OPERATOR_TOKEN)).createServiceAccount.serviceAccount.id;
  const refresh = expectOk(await graphql(t.url, 'mutation($id: ID!) { createRefreshToken(input: { serviceAccountId: $id, name: "b" }) { refreshToken { id } } }', { id: account }, OPERATOR_TOKEN)).createRefreshToken.refreshToken.id;
  const mint = async () => expectOk(await graphql(t.url, 'mutation($id: ID!) { createAccessToken(input: { refreshTokenId: $id }) { accessToken { id } } }', { id: refresh }, OPERATOR_TOKEN)).createAccessToken.accessToken.id;
  const [a1, a2] = [await mint(), await mint()];
  const first = expectOk(await graphql(t.url, 'mutation($id: ID!) { revokeAccessTokens(refreshTokenId: $id) { revokedIds } }', { id: refresh }, OPERATOR_TOKEN));
  expect(first.revokeAccessTokens.revokedIds.sort()).toEqual([a1, a2].sort());
  const a3 = await mint();
  const all = expectOk(await graphql(t.url, 'mutation($id: ID!) { revokeAllTokens(serviceAccountId: $id) { revokedIds } }', { id: account }, OPERATOR_TOKEN));
  expect(all.revokeAllTokens.revokedIds.sort()).toEqual([refresh, a3].sort());
  const again = expectOk(await graphql(t.url, 'mutation($id: ID!) { revokeAllTokens(serviceAccountId: $id) { revokedIds } }', { id: account }, OPERATOR_TOKEN));
  expect(again.revokeAllTokens.revokedIds).toEqual([]);
  const still = expectOk(await graphql(t.url, 'query($id: ID!) { serviceAccount(id: $id) { name } }', { id: account }, OPERATOR_TOKEN));
  expect(still.serviceAccount.name).toBe('bulk');
});
