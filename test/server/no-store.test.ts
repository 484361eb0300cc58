import { createOAuthClient, createUser as createAlationUser, form, basic as oauthBasic } from '../plugins/alation/alation-support';
import { bearerFor, createUser as createAtlanUser } from '../plugins/atlan/atlan-support';
import { exchange } from '../plugins/talend/talend-support';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { expectOk, graphql } from '../support/graphql';
import { rest } from '../support/rest';

let t: TestGateway;
beforeAll(async () => {
  // Webhooks to a local address: one is created only for its signing secret's answer.
  t = await startTestGateway({ config: { webhookAllowPrivate: true } });
});
afterAll(() => t.close());

const noStore = (headers: Headers) => headers.get('cache-control') ?? '(none)';

/** POST /graphql returning the status, the body and the Cache-Control header. */
async function mutate(query: string, variables: Record<string, unknown>, token = OPERATOR_TOKEN) {
  const response = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return { data: body.data!, cacheControl: noStore(response.headers) };
}

test('every declared REST route answers with Cache-Control: no-store, except the public key set', async () => {
  const seen: string[] = [];
  for (const route of t.gateway.routes) {
    const path = route.path.replace(/:\w+/g, 'no-such-id');
    const method = route.method === 'ALL' ? 'POST' : route.method;
    const response = await rest(t.url, method, path, { token: OPERATOR_TOKEN, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) });
    const expected = route.path.endsWith('jwks.json') && response.status === 200 ? expect.stringMatching(/^public, max-age=\d+$/) : 'no-store';
    expect({ route: `${method} ${route.path} → ${response.status}`, cacheControl: noStore(response.headers) }).toEqual({ route: expect.any(String), cacheControl: expected });
    seen.push(`${route.method} ${route.path}`);
  }
  // Each vendor's token routes are among them.
  expect(seen).toEqual(expect.arrayContaining(['POST /integration/v1/createRefreshToken', 'POST /oauth/v2/token', 'POST /api/service/apikeys', 'POST /security/oauth/token']));
});

test('the REST answers that issue a secret carry no-store: Alation, its OAuth, Atlan, Talend', async () => {
  const password = 'Correct-Horse-9-Battery';
  const user = await createAlationUser(t.url, 'no-store@example.com', 'SERVER_ADMIN', password);
  const issued: [string, number, string][] = [];
  const record = <R extends { status: number; headers: Headers }>(what: string, response: R): R => {
    issued.push([what, response.status, noStore(response.headers)]);
    return response;
  };

  const refresh = record('Alation createRefreshToken', await rest(t.url, 'POST', '/integration/v1/createRefreshToken/', { body: { username: 'no-store@example.com', password, name: 'no-store' } }));
  const refreshToken = refresh.body.refresh_token as string;
  record('Alation createAPIAccessToken', await rest(t.url, 'POST', '/integration/v1/createAPIAccessToken/', { body: { refresh_token: refreshToken, user_id: user.userId } }));
  record('Alation regenRefreshToken', await rest(t.url, 'POST', '/integration/v1/regenRefreshToken/', { body: { refresh_token: refreshToken, user_id: user.userId } }));

  const client = await createOAuthClient(t.url, 'VIEWER');
  record('Alation OAuth token', await form(t.url, '/oauth/v2/token/', { grant_type: 'client_credentials' }, { authorization: oauthBasic(client.clientId, client.clientSecret) }));
  record('Alation OAuth client secret', await rest(t.url, 'POST', `/oauth/v2/clients/${client.clientId}/secret/`, { token: OPERATOR_TOKEN }));

  const atlanUser = await createAtlanUser(t.url, 'no-store-atlan', '$admin');
  const bearer = (await bearerFor(t.url, atlanUser)).secret;
  const apiTokenResponse = await rest(t.url, 'POST', '/api/service/apikeys', { token: bearer, body: { displayName: 'no-store', description: '', personas: [], personaQualifiedNames: [], validitySeconds: 3600 } });
  record('Atlan API token', apiTokenResponse);

  const talend = expectOk(
    await graphql(t.url, `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { serviceAccount { clientId } secret } }`, { input: { provider: 'TALEND', name: 'no-store', permissions: [] } }, OPERATOR_TOKEN),
  ).createServiceAccount;
  record('Talend token exchange', await exchange(t, talend.serviceAccount.clientId, talend.secret));

  expect(issued).toEqual(issued.map(([what, status]) => [what, status >= 200 && status < 300 ? status : `2xx, got ${status}`, 'no-store']));
});

test('every GraphQL mutation that issues a secret answers with no-store', async () => {
  const types = expectOk(await graphql(t.url, '{ __schema { mutationType { fields { name type { ofType { name fields { name } } } } } } }', {}, OPERATOR_TOKEN)).__schema.mutationType.fields as {
    name: string;
    type: { ofType: { name: string; fields: { name: string }[] | null } | null };
  }[];
  const issuing = types.filter((f) => f.type.ofType?.fields?.some((field) => /secret$/i.test(field.name))).map((f) => f.name).sort();

  const answers: Record<string, string> = {};
  const account = await mutate(`mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { serviceAccount { id } secret } }`, { input: { provider: 'EXAMPLE', name: 'no-store-gql', role: 'MEMBER' } });
  answers.createServiceAccount = account.cacheControl;
  const accountId = account.data.createServiceAccount.serviceAccount.id;
  const refresh = await mutate(`mutation($input: CreateRefreshTokenInput!) { createRefreshToken(input: $input) { refreshToken { id } secret } }`, { input: { serviceAccountId: accountId, name: 'r' } });
  answers.createRefreshToken = refresh.cacheControl;
  answers.createAccessToken = (await mutate(`mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { secret } }`, { input: { refreshTokenId: refresh.data.createRefreshToken.refreshToken.id } })).cacheControl;
  const client = await mutate(`mutation($input: CreateOAuthClientInput!) { createOAuthClient(input: $input) { client { clientId } clientSecret } }`, { input: { name: 'no-store-client', accessTokenLifetimeSeconds: 300, role: 'VIEWER' } });
  answers.createOAuthClient = client.cacheControl;
  answers.regenerateOAuthClientSecret = (await mutate(`mutation($id: String!) { regenerateOAuthClientSecret(clientId: $id) { clientSecret } }`, { id: client.data.createOAuthClient.client.clientId })).cacheControl;
  answers.createOperatorToken = (await mutate(`mutation { createOperatorToken(name: "no-store") { secret } }`, {})).cacheControl;
  const webhook = await mutate(`mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } secret } }`, { input: { url: 'http://127.0.0.1:9/no-store', kinds: ['DELETED'] } });
  answers.createWebhook = webhook.cacheControl;
  await mutate(`mutation($id: ID!) { deleteWebhook(id: $id) { __typename } }`, { id: webhook.data.createWebhook.webhook.id });

  expect(Object.keys(answers).sort()).toEqual(issuing);
  expect(answers).toEqual(Object.fromEntries(issuing.map((name) => [name, 'no-store'])));
});
