import { startTestGateway, type TestGateway, OPERATOR_TOKEN } from '../../support/gateway';
import { expectOk, graphql } from '../../support/graphql';
import { CREATE_ACCESS, createUser, DAY, IMPORT, rest, VENDOR_TIME } from './alation-support';

/**
 * The two seed documents, step by step and in order: a Server Admin uploads the CSV template and
 * confirms it, the new API service account creates a refresh token and an API access token, uses
 * it, creates a second refresh token, lists its tokens, regenerates its access token, and a Server
 * Admin revokes its tokens.
 */
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const ADMIN_PASSWORD = 'Adm1n-Secret!';
const SERVICE_PASSWORD = 'S3rvice-Acc0unt!';

test('create an API service account from the CSV template, then authenticate with refresh and access tokens', async () => {
  // Requirements: a Server Admin. The operator creates one; it signs in through the refresh-token API.
  const admin = await createUser(t.url, 'admin@example.com', 'SERVER_ADMIN', ADMIN_PASSWORD);
  const adminRefresh = await rest(t.url, '/integration/v1/createRefreshToken/', { username: 'admin@example.com', password: ADMIN_PASSWORD, name: 'admin-console' });
  expect(adminRefresh.status).toBe(201);
  const adminAccess = await rest(t.url, '/integration/v1/createAPIAccessToken/', { refresh_token: adminRefresh.body.refresh_token, user_id: admin.userId });
  expect(adminAccess.status).toBe(201);
  const TOKEN = { TOKEN: adminAccess.body.api_access_token };

  // Step 1: the template, as the seed prints it.
  const template = 'user,display_name,email,title,role,password\n' + 'apiuser@example.com,API Service Account,apiuser@example.com,API Service Account,SERVER_ADMIN,PasswordHere\n';
  // Steps 3-5: upload; the confirmation page validates every row and writes nothing.
  const preview = await graphql(t.url, IMPORT, { csv: template, confirm: false }, undefined, TOKEN);
  expect(expectOk(preview).importServiceAccounts).toMatchObject({ confirmed: false, total: 1, valid: 0, serviceAccounts: [] });
  expect(preview.data.importServiceAccounts.errors).toEqual([{ line: 2, field: 'password', message: expect.stringMatching(/^Password is too weak/) }]);
  expect(preview.raw).not.toContain('PasswordHere');

  // Step 2: change the fields to what you need.
  const csv = template.replace('SERVER_ADMIN,PasswordHere', `CATALOG_ADMIN,${SERVICE_PASSWORD}`);
  const checked = expectOk(await graphql(t.url, IMPORT, { csv, confirm: false }, undefined, TOKEN)).importServiceAccounts;
  expect(checked).toMatchObject({ confirmed: false, total: 1, valid: 1, errors: [], serviceAccounts: [] });
  expect(await t.gateway.core.principals.findByName('alation', 'apiuser@example.com')).toBeNull();

  // Step 6: confirm.
  const confirmed = expectOk(await graphql(t.url, IMPORT, { csv, confirm: true }, undefined, TOKEN)).importServiceAccounts;
  expect(confirmed).toMatchObject({ confirmed: true, total: 1, valid: 1, errors: [] });
  const account = confirmed.serviceAccounts[0];
  expect(account).toMatchObject({ name: 'apiuser@example.com', role: 'CATALOG_ADMIN', email: 'apiuser@example.com', displayName: 'API Service Account', title: 'API Service Account' });
  const userId = Number(account.userId);
  expect(Number.isInteger(userId)).toBe(true);

  // Step 7 / Authentication: create a refresh token with the account's user name and password.
  const refresh = await rest(t.url, '/integration/v1/createRefreshToken/', { username: 'apiuser@example.com', password: SERVICE_PASSWORD, name: 'AlationAPI' });
  expect(refresh.status).toBe(201);
  expect(refresh.body).toEqual({
    refresh_token: expect.stringMatching(/^kgrt_/),
    user_id: userId,
    created_at: expect.stringMatching(VENDOR_TIME),
    name: 'AlationAPI',
    token_expires_at: expect.stringMatching(VENDOR_TIME),
    token_status: 'ACTIVE',
    last_used_at: null,
  });
  expect(Date.parse(refresh.body.token_expires_at) - Date.parse(refresh.body.created_at)).toBe(60 * DAY);

  // Create an API access token from it, with its user id.
  const access = await rest(t.url, '/integration/v1/createAPIAccessToken/', { refresh_token: refresh.body.refresh_token, user_id: userId });
  expect(access.status).toBe(201);
  expect(access.body).toEqual({
    api_access_token: expect.stringMatching(/^kgat_/),
    user_id: userId,
    created_at: expect.stringMatching(VENDOR_TIME),
    token_expires_at: expect.stringMatching(VENDOR_TIME),
    token_status: 'ACTIVE',
  });
  expect(Date.parse(access.body.token_expires_at) - Date.parse(access.body.created_at)).toBe(DAY);

  // The access token is the value of the TOKEN header.
  const me = expectOk(await graphql(t.url, '{ viewer { name role provider kind } }', {}, undefined, { TOKEN: access.body.api_access_token })).viewer;
  expect(me).toEqual({ name: 'apiuser@example.com', role: 'CATALOG_ADMIN', provider: 'ALATION', kind: 'user' });

  // Multiple refresh tokens: one per integration.
  const second = await rest(t.url, '/integration/v1/createRefreshToken/', { username: 'apiuser@example.com', password: SERVICE_PASSWORD, name: 'TableauRefreshToken' });
  expect(second.status).toBe(201);

  // View available refresh tokens: name, creation date, status, expiry, access token status (empty when none).
  const mine = `{ viewer { serviceAccount { refreshTokens { id name createdAt status expiresAt accessToken { status } } } } }`;
  const table = expectOk(await graphql(t.url, mine, {}, undefined, { TOKEN: access.body.api_access_token })).viewer.serviceAccount.refreshTokens;
  expect(table.map((r: any) => [r.name, r.status, r.accessToken?.status ?? null])).toEqual([
    ['AlationAPI', 'ACTIVE', 'ACTIVE'],
    ['TableauRefreshToken', 'ACTIVE', null],
  ]);
  expect(table[0].createdAt).toBeTruthy();
  expect(table[0].expiresAt).toBeTruthy();
  const listed = await rest(t.url, '/keygate/alation/listRefreshTokens/', {}, { TOKEN: access.body.api_access_token });
  expect(listed.status).toBe(200);
  expect(listed.body.refresh_tokens.map((r: any) => [r.name, r.token_status, r.api_access_token_status])).toEqual([
    ['AlationAPI', 'ACTIVE', 'ACTIVE'],
    ['TableauRefreshToken', 'ACTIVE', null],
  ]);

  // Create an API access token via the UI for the second refresh token, then regenerate the first one's.
  const viaUi = expectOk(await graphql(t.url, CREATE_ACCESS, { input: { refreshTokenId: table[1].id } }, undefined, { TOKEN: access.body.api_access_token })).createAccessToken;
  expect(viaUi.accessToken).toMatchObject({ status: 'ACTIVE', kind: 'access', name: 'TableauRefreshToken' });
  const regenerated = expectOk(await graphql(t.url, CREATE_ACCESS, { input: { refreshTokenId: table[0].id, regenerate: true } }, undefined, { TOKEN: viaUi.secret })).createAccessToken;
  expect(regenerated.accessToken.status).toBe('ACTIVE');
  const old = await rest(t.url, '/integration/v1/validateAPIAccessToken/', { api_access_token: access.body.api_access_token, user_id: userId });
  expect(old.body.token_status).toBe('REVOKED');
  const fresh = await rest(t.url, '/integration/v1/validateAPIAccessToken/', { api_access_token: regenerated.secret, user_id: userId });
  expect(fresh.body.token_status).toBe('ACTIVE');

  // Revoke users' tokens as an admin: the Server Admin sees them, then revokes them all at once.
  const theirs = await rest(t.url, '/keygate/alation/listRefreshTokens/', { user_id: userId }, TOKEN);
  expect(theirs.body.refresh_tokens).toHaveLength(2);
  const revoked = await rest(t.url, '/keygate/alation/revokeUserTokens/', { user_id: userId }, TOKEN);
  expect(revoked.status).toBe(200);
  expect(revoked.body.revoked).toBe(4); // two refresh tokens, two active access tokens
  for (const secret of [regenerated.secret, viaUi.secret]) {
    expect((await rest(t.url, '/integration/v1/validateAPIAccessToken/', { api_access_token: secret, user_id: userId })).body.token_status).toBe('REVOKED');
  }
  expect((await rest(t.url, '/integration/v1/validateRefreshToken/', { refresh_token: refresh.body.refresh_token, user_id: userId })).body.token_status).toBe('REVOKED');
  expect((await graphql(t.url, '{ viewer { name } }', {}, undefined, { TOKEN: viaUi.secret })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  // The operator still sees the account.
  expect(expectOk(await graphql(t.url, `{ serviceAccount(id: "${account.id}") { name } }`, {}, OPERATOR_TOKEN)).serviceAccount.name).toBe('apiuser@example.com');
});
