import { allStoredText } from '../../support/secret-scan';
import { startTestGateway, OPERATOR_TOKEN, type TestGateway } from '../../support/gateway';
import { codes, expectOk, graphql } from '../../support/graphql';
import { basic, clientToken, createOAuthClient, CREATE_OAUTH_CLIENT, form, jwtParts, rest, signedInUser, type OAuthClient } from './alation-support';

/** OAuth client applications: creation, validation, the secret shown once, regeneration, revoking a client's tokens. */
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const create = (input: Record<string, unknown>, token = OPERATOR_TOKEN) => graphql(t.url, CREATE_OAUTH_CLIENT, { input }, token);
const tokenFor = (client: Pick<OAuthClient, 'clientId' | 'clientSecret'>) =>
  form(t.url, '/oauth/v2/token/', { grant_type: 'client_credentials' }, { authorization: basic(client.clientId, client.clientSecret) });
const regenerate = (clientId: string, headers: Record<string, string>) => rest(t.url, `/oauth/v2/clients/${clientId}/secret/`, {}, headers);
const revokeAll = (clientId: string, headers: Record<string, string>) => rest(t.url, `/oauth/v2/clients/${clientId}/revoke-tokens/`, {}, headers);
const OPERATOR = { authorization: `Bearer ${OPERATOR_TOKEN}` };

describe('creating a client', () => {
  test("a client is a system user with the role, a generated client id and a secret shown once", async () => {
    const created = expectOk(await create({ name: 'Tableau sync', accessTokenLifetimeSeconds: 7200, role: 'CATALOG_ADMIN' })).createOAuthClient;
    expect(created.client).toMatchObject({ name: 'Tableau sync', role: 'CATALOG_ADMIN', serviceAccount: { id: created.client.id, kind: 'oauth_client', role: 'CATALOG_ADMIN', name: 'Tableau sync' } });
    expect(created.client.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.client.clientId).not.toBe(created.client.id);
    expect(created.clientSecret).toMatch(/^kgcs_[0-9A-Za-z]{49}$/);
    const [row] = await t.gateway.db.dataSource.query('SELECT provider, kind, role, client_id, attributes, secret_hash, password_hash FROM service_account WHERE id = $1', [created.client.id]);
    expect(row).toMatchObject({ provider: 'alation', kind: 'oauth_client', role: 'CATALOG_ADMIN', client_id: created.client.clientId, attributes: { accessTokenLifetimeSeconds: 7200 }, password_hash: null });
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    const issued = await tokenFor({ clientId: created.client.clientId, clientSecret: created.clientSecret });
    expect(issued.body.expires_in).toBe(7200);
    // A Server Admin (an Alation user, or an OAuth client with that role) creates clients too.
    const admin = await signedInUser(t.url, 'admin@example.com', 'SERVER_ADMIN');
    expectOk(await create({ name: 'by-admin', accessTokenLifetimeSeconds: 300, role: 'VIEWER' }, admin.token));
    const adminClient = await createOAuthClient(t.url, 'SERVER_ADMIN');
    expectOk(await create({ name: 'by-admin-client', accessTokenLifetimeSeconds: 259200, role: 'VIEWER' }, await clientToken(t.url, adminClient)));
  });

  test.each([
    ['4:59, too short', { accessTokenLifetimeSeconds: 299 }],
    ['72 hours and a second, too long', { accessTokenLifetimeSeconds: 259201 }],
    ['no lifetime', { accessTokenLifetimeSeconds: 0 }],
    ['a role in the wrong case', { role: 'server_admin' }],
    ['an unknown role', { role: 'ADMIN' }],
    ['an empty name', { name: '' }],
  ])('refused with BAD_USER_INPUT: %s', async (_name, change) => {
    const response = await create({ name: `bad-${Math.random()}`, accessTokenLifetimeSeconds: 3600, role: 'VIEWER', ...change });
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    const [{ n }] = await t.gateway.db.dataSource.query("SELECT count(*)::int AS n FROM service_account WHERE name LIKE 'bad-%'");
    expect(n).toBe(0);
  });

  test('the bounds themselves are allowed: 5 minutes and 72 hours', async () => {
    for (const seconds of [300, 259200]) {
      const client = await createOAuthClient(t.url, 'VIEWER', { lifetime: seconds });
      expect((await tokenFor(client)).body.expires_in).toBe(seconds);
    }
  });

  test('a name taken in Alation is a CONFLICT', async () => {
    await createOAuthClient(t.url, 'VIEWER', { name: 'twin' });
    expect(codes(await create({ name: 'twin', accessTokenLifetimeSeconds: 300, role: 'VIEWER' }))).toEqual(['CONFLICT']);
  });

  test('without credentials: UNAUTHENTICATED', async () => {
    const response = await graphql(t.url, CREATE_OAUTH_CLIENT, { input: { name: 'anon', accessTokenLifetimeSeconds: 300, role: 'VIEWER' } });
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });

  test("an OAuth client's system user cannot sign in with a password or pass for a user", async () => {
    const client = await createOAuthClient(t.url, 'VIEWER', { name: 'no-password-client' });
    const login = await rest(t.url, '/integration/v1/createRefreshToken/', { username: 'no-password-client', password: client.clientSecret, name: 'x' });
    expect([login.status, login.body.detail]).toEqual([401, 'Invalid username or password.']);
  });
});

describe('the secret', () => {
  test('is shown once: in no table, no later response, no log; nor is any JWT', async () => {
    const client = await createOAuthClient(t.url, 'STEWARD', { name: 'secretive' });
    const jwt = await clientToken(t.url, client);
    const regenerated = (await regenerate(client.clientId, OPERATOR)).body.client_secret as string;
    const later = await clientToken(t.url, { clientId: client.clientId, clientSecret: regenerated });
    const reads = [
      (await graphql(t.url, 'query($id: ID!) { serviceAccount(id: $id) { id name kind role clientId userId description accessTokens { id kind status expiresAt } } }', { id: client.id }, OPERATOR_TOKEN)).raw,
      (await graphql(t.url, '{ serviceAccounts(provider: ALATION) { nodes { id name clientId role } } }', {}, OPERATOR_TOKEN)).raw,
      (await graphql(t.url, '{ viewer { name role serviceAccount { clientId accessTokens { id status } } } }', {}, later)).raw,
      (await form(t.url, '/oauth/v2/introspect/', { token: jwt }, { authorization: basic(client.clientId, regenerated) })).raw,
    ];
    expect(reads[0]).toContain(client.clientId);
    const stored = await allStoredText(t);
    const logs = t.logs.join('\n');
    for (const value of [client.clientSecret, regenerated, jwt, jwtParts(jwt).signature, later, jwtParts(later).signature]) {
      for (const raw of reads) expect(raw).not.toContain(value);
      expect(stored).not.toContain(value);
      expect(logs).not.toContain(value);
    }
  });

  test('regenerating shows a new one once and stops the old one; tokens already issued run their course', async () => {
    const client = await createOAuthClient(t.url, 'VIEWER');
    const before = await clientToken(t.url, client);
    const response = await regenerate(client.clientId, OPERATOR);
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(['client_id', 'client_secret', 'previous_secret_expires_at']);
    expect(response.body.client_id).toBe(client.clientId);
    expect(response.body.previous_secret_expires_at).toBeNull();
    const secret = response.body.client_secret as string;
    expect(secret).toMatch(/^kgcs_/);
    expect(secret).not.toBe(client.clientSecret);
    const old = await tokenFor(client);
    expect([old.status, old.body.error]).toEqual([401, 'invalid_client']);
    const oldIntrospecting = await form(t.url, '/oauth/v2/introspect/', { token: before }, { authorization: basic(client.clientId, client.clientSecret) });
    expect(oldIntrospecting.status).toBe(401);
    expect((await tokenFor({ clientId: client.clientId, clientSecret: secret })).status).toBe(200);
    expect(expectOk(await graphql(t.url, '{ viewer { role } }', {}, before)).viewer.role).toBe('VIEWER');
    // Without the trailing slash too; each regeneration retires the previous secret.
    const again = await rest(t.url, `/oauth/v2/clients/${client.clientId}/secret`, {}, OPERATOR);
    expect((await tokenFor({ clientId: client.clientId, clientSecret: secret })).status).toBe(401);
    expect((await tokenFor({ clientId: client.clientId, clientSecret: again.body.client_secret })).status).toBe(200);
  });

  test('only a Server Admin or the operator regenerates; others learn nothing about client ids', async () => {
    const client = await createOAuthClient(t.url, 'VIEWER');
    const catalogAdmin = await signedInUser(t.url, 'catalog-admin@example.com', 'CATALOG_ADMIN');
    for (const clientId of [client.clientId, '00000000-0000-4000-8000-000000000000']) {
      const denied = await regenerate(clientId, { TOKEN: catalogAdmin.token });
      expect([denied.status, denied.body.error]).toEqual([403, 'access_denied']);
    }
    // The client itself, with its own JWT, may not either (it is a VIEWER).
    expect((await regenerate(client.clientId, { authorization: `Bearer ${await clientToken(t.url, client)}` })).status).toBe(403);
    const anonymous = await regenerate(client.clientId, {});
    expect([anonymous.status, anonymous.body.error]).toEqual([401, 'invalid_token']);
    expect((await tokenFor(client)).status).toBe(200);
    const unknown = await regenerate('00000000-0000-4000-8000-000000000000', OPERATOR);
    expect([unknown.status, unknown.body.error]).toEqual([404, 'not_found']);
    // A user's id is not a client id.
    const admin = await signedInUser(t.url, 'sa@example.com', 'SERVER_ADMIN');
    expect((await regenerate(admin.id, { TOKEN: admin.token })).status).toBe(404);
  });
});

describe("revoking all of a client's tokens", () => {
  test('every active token of that client, at once; the client still gets new ones', async () => {
    const client = await createOAuthClient(t.url, 'COMPOSER');
    const bystander = await createOAuthClient(t.url, 'COMPOSER');
    const tokens = [await clientToken(t.url, client), await clientToken(t.url, client)];
    const kept = await clientToken(t.url, bystander);
    for (const jwt of tokens) expectOk(await graphql(t.url, '{ viewer { role } }', {}, jwt));
    const admin = await signedInUser(t.url, 'revoker@example.com', 'SERVER_ADMIN');
    const response = await revokeAll(client.clientId, { TOKEN: admin.token });
    expect([response.status, response.body]).toEqual([200, { client_id: client.clientId, revoked: 2 }]);
    for (const jwt of tokens) {
      expect(codes(await graphql(t.url, '{ viewer { role } }', {}, jwt))).toEqual(['UNAUTHENTICATED']);
      expect((await form(t.url, '/oauth/v2/introspect/', { token: jwt }, { authorization: basic(bystander.clientId, bystander.clientSecret) })).raw).toBe('{"active":false}');
    }
    expectOk(await graphql(t.url, '{ viewer { role } }', {}, kept));
    expectOk(await graphql(t.url, '{ viewer { role } }', {}, await clientToken(t.url, client)));
    const [{ n }] = await t.gateway.db.dataSource.query(
      "SELECT count(*)::int AS n FROM token_event WHERE kind = 'REVOKED' AND subject_type = 'ACCESS_TOKEN' AND service_account_id = $1",
      [client.id],
    );
    expect(n).toBe(2);
  });

  test('only a Server Admin or the operator; an unknown client is 404', async () => {
    const client = await createOAuthClient(t.url, 'VIEWER');
    const jwt = await clientToken(t.url, client);
    const steward = await signedInUser(t.url, 'steward@example.com', 'STEWARD');
    expect((await revokeAll(client.clientId, { TOKEN: steward.token })).status).toBe(403);
    expect((await revokeAll(client.clientId, {})).status).toBe(401);
    expectOk(await graphql(t.url, '{ viewer { role } }', {}, jwt));
    expect((await revokeAll('no-such-client', OPERATOR)).status).toBe(404);
    expect((await revokeAll(client.clientId, OPERATOR)).body.revoked).toBe(1);
  });
});
