import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../../support/gateway';
import { expectOk, graphql } from '../../support/graphql';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

test("keygate's Alation routes refuse another provider's principal with 403, not a question about user_id", async () => {
  const user = expectOk(await graphql(t.url, 'mutation { createServiceAccount(input: { provider: TALEND, user: "outsider", permissions: [] }) { serviceAccount { id } } }', {}, OPERATOR_TOKEN));
  const pat = expectOk(await graphql(t.url, 'mutation($id: ID!) { createAccessToken(input: { serviceAccountId: $id }) { secret } }', { id: user.createServiceAccount.serviceAccount.id }, OPERATOR_TOKEN));
  const response = await fetch(`${t.url}/keygate/alation/listRefreshTokens/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${pat.createAccessToken.secret}` },
    body: '{}',
  });
  expect(response.status).toBe(403);
  expect(await response.json()).toMatchObject({ code: '403000' });
});
