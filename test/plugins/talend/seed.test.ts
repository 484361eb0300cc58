import type { TestGateway } from '../../support/gateway';
import { expectOk, graphql } from '../../support/graphql';
import { columnsHolding, createPersonalTokenGql, createUser, rest, startTalendGateway } from './talend-support';

/**
 * The seed document "Creating a service account", step by step, against keygate: a personal access
 * token creates the account with the four permissions, the secret is captured once, base64(id:secret)
 * gets a token, and the token is allowed where its permissions reach and refused where they do not.
 */
let t: TestGateway;
beforeAll(async () => {
  t = await startTalendGateway();
});
afterAll(() => t.close());

test('seed: creating a service account, then using it', async () => {
  // 1. A personal access token for an account that may manage service accounts (and holds what it grants).
  const adminId = await createUser(t, 'admin@example.com', [
    'TMC_SERVICE_ACCOUNT_MANAGEMENT',
    'TMC_USER_MANAGEMENT',
    'TMC_ROLE_MANAGEMENT',
    'AUDIT_LOGS_VIEW',
    'TMC_ENGINE_USE',
  ]);
  const pat = expectOk(await createPersonalTokenGql(t, { serviceAccountId: adminId, name: 'api tester' })).createAccessToken.secret as string;
  const someUserId = await createUser(t, 'someone@example.com', ['TMC_ENGINE_USE']);

  // 2–5. POST the profile with the bearer personal access token: 201 and the account's details.
  const created = await rest(t, 'POST', '/account/service-accounts', {
    token: pat,
    body: { name: 'myServiceAccount', permissions: ['TMC_USER_MANAGEMENT', 'TMC_ROLE_MANAGEMENT', 'AUDIT_LOGS_VIEW', 'TMC_ENGINE_USE'] },
  });
  expect(created.status).toBe(201);
  expect(created.headers.get('content-type')).toMatch(/application\/json/);
  expect(Object.keys(created.body).sort()).toEqual(['createdDate', 'id', 'lastModifiedDate', 'name', 'permissions', 'secret']);
  expect(created.body.name).toBe('myServiceAccount');
  expect([...created.body.permissions].sort()).toEqual(['AUDIT_LOGS_VIEW', 'TMC_ENGINE_USE', 'TMC_ROLE_MANAGEMENT', 'TMC_USER_MANAGEMENT']);
  const { id, secret } = created.body as { id: string; secret: string };
  expect(secret).toMatch(/^kgsa_/);

  // "This is the only time you can see the secret": not in later reads, not stored in plain text.
  const read = await rest(t, 'GET', `/account/service-accounts/${id}`, { token: pat });
  expect(read.status).toBe(200);
  expect(read.body).not.toHaveProperty('secret');
  expect(read.text).not.toContain(secret);
  const listed = await rest(t, 'GET', '/account/service-accounts', { token: pat });
  expect(listed.text).not.toContain(secret);
  expect(await columnsHolding(t, secret)).toEqual([]);

  // 7. base64(ID:secret) …
  const encoded = Buffer.from(`${id}:${secret}`).toString('base64');
  // What to do next: generate a service account token.
  const token = await rest(t, 'POST', '/security/oauth/token', {
    headers: { authorization: `Basic ${encoded}` },
    body: { audience: 'https://api.talend.io', grant_type: 'client_credentials' },
  });
  expect(token.status).toBe(200);
  expect(token.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 1800 });
  const bearer = token.body.access_token as string;

  // With TMC_USER_MANAGEMENT the account manages user accounts …
  const users = await rest(t, 'GET', '/account/users', { token: bearer });
  expect(users.status).toBe(200);
  expect(users.body.map((u: { name: string }) => u.name).sort()).toEqual(['admin@example.com', 'someone@example.com']);
  const tokensOfUser = await rest(t, 'GET', `/account/users/${someUserId}/personal-access-tokens`, { token: bearer });
  expect(tokensOfUser.status).toBe(200);
  // … but it was not given TMC_SERVICE_ACCOUNT_MANAGEMENT, so it may not list service accounts.
  const refused = await rest(t, 'GET', '/account/service-accounts', { token: bearer });
  expect(refused.status).toBe(403);
  expect(refused.body).toEqual({ status: 403, error: 'forbidden', message: expect.stringContaining('TMC_SERVICE_ACCOUNT_MANAGEMENT') });

  // GraphQL sees the same account, its permissions, and the exchanged token.
  const seen = expectOk(
    await graphql(t.url, `query($id: ID!) { serviceAccount(id: $id) { id clientId kind name permissions { id } accessTokens { kind status } } }`, { id }, pat),
  ).serviceAccount;
  expect(seen).toEqual({
    id,
    clientId: id,
    kind: 'service_account',
    name: 'myServiceAccount',
    permissions: [{ id: 'AUDIT_LOGS_VIEW' }, { id: 'TMC_ENGINE_USE' }, { id: 'TMC_ROLE_MANAGEMENT' }, { id: 'TMC_USER_MANAGEMENT' }],
    accessTokens: [{ kind: 'exchanged', status: 'ACTIVE' }],
  });
});
