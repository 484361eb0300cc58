import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../../support/gateway';
import { codes, expectOk, graphql } from '../../support/graphql';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const token = (clientId: string, secret: string) =>
  fetch(`${t.url}/oauth/v2/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
    body: 'grant_type=client_credentials',
  });

test('regenerate a client secret and revoke all its tokens through GraphQL', async () => {
  const created = expectOk(
    await graphql(t.url, 'mutation { createOAuthClient(input: { name: "gql-client", accessTokenLifetimeSeconds: 600, role: "VIEWER" }) { client { id clientId } clientSecret } }', {}, OPERATOR_TOKEN),
  ).createOAuthClient;
  const { clientId } = created.client;
  const jwt = ((await (await token(clientId, created.clientSecret)).json()) as { access_token: string }).access_token;
  expect(expectOk(await graphql(t.url, '{ viewer { role } }', {}, jwt)).viewer.role).toBe('VIEWER');

  const regenerated = expectOk(
    await graphql(t.url, 'mutation($c: String!) { regenerateOAuthClientSecret(clientId: $c) { client { clientId role } clientSecret } }', { c: clientId }, OPERATOR_TOKEN),
  ).regenerateOAuthClientSecret;
  expect(regenerated.client).toEqual({ clientId, role: 'VIEWER' });
  expect(regenerated.clientSecret).not.toBe(created.clientSecret);
  expect((await token(clientId, created.clientSecret)).status).toBe(401);
  expect((await token(clientId, regenerated.clientSecret)).status).toBe(200);
  const changed = await t.gateway.db.dataSource.query(`SELECT kind, actor FROM token_event WHERE kind = 'SECRET_CHANGED' AND service_account_id = $1`, [created.client.id]);
  expect(changed).toEqual([{ kind: 'SECRET_CHANGED', actor: 'operator' }]);

  const revoked = expectOk(await graphql(t.url, 'mutation($c: String!) { revokeOAuthClientTokens(clientId: $c) { revokedIds } }', { c: clientId }, OPERATOR_TOKEN)).revokeOAuthClientTokens;
  expect(revoked.revokedIds).toHaveLength(2);
  expect(codes(await graphql(t.url, '{ viewer { role } }', {}, jwt))).toEqual(['UNAUTHENTICATED']);
  const missing = await graphql(t.url, 'mutation { revokeOAuthClientTokens(clientId: "nope") { revokedIds } }', {}, OPERATOR_TOKEN);
  expect(codes(missing)).toEqual(['NOT_FOUND']);
});
