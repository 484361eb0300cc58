import type { TestGateway } from '../../support/gateway';
import { startTalendGateway, userWithToken, ALL_PERMISSIONS } from '../../plugins/talend/talend-support';
import { countSchema, createdServiceAccountSchema, errorSchema, permissionSchema, serviceAccountSchema, talend, tokenSchema, TALEND_VERSION } from './talend-api';

/**
 * The Service Accounts API (2021-03) as its reference defines it, called the way a Talend script
 * calls it, every answer checked against the reference's schema (talend-api.ts).
 */
let t: TestGateway;
let pat: string;

beforeAll(async () => {
  t = await startTalendGateway();
  pat = (await userWithToken(t, 'conformance-admin@example.com', ALL_PERMISSIONS)).token;
}, 180_000);
afterAll(() => t.close());

describe('service accounts', () => {
  let id: string;
  let secret: string;

  test('POST /account/service-accounts: 201, the account and its secret', async () => {
    const created = await talend(t.url, 'POST', '/account/service-accounts', { token: pat, body: { name: 'conformance-sa', permissions: ['TMC_USER_MANAGEMENT', 'AUDIT_LOGS_VIEW'] } });
    expect(created.status).toBe(201);
    const account = createdServiceAccountSchema(created.body);
    expect(account.permissions.sort()).toEqual(['AUDIT_LOGS_VIEW', 'TMC_USER_MANAGEMENT']);
    ({ id, secret } = account);
  });

  test('GET /account/service-accounts and /{id}: the schema, no secret', async () => {
    const list = await talend(t.url, 'GET', '/account/service-accounts', { token: pat });
    expect(list.status).toBe(200);
    const accounts = (list.body as any[]).map((a, i) => serviceAccountSchema(a, `ServiceAccount[${i}]`));
    expect(accounts.map((a) => a.id)).toContain(id);
    const one = await talend(t.url, 'GET', `/account/service-accounts/${id}`, { token: pat });
    expect(serviceAccountSchema(one.body).name).toBe('conformance-sa');
    expect(one.response.text).not.toContain(secret);
  });

  test('GET /account/service-accounts/count: the number of service accounts', async () => {
    const count = await talend(t.url, 'GET', '/account/service-accounts/count', { token: pat });
    expect(count.status).toBe(200);
    expect(countSchema(count.body)).toBe(1);
  });

  test('GET /account/service-accounts/permissions: [{id, name}]', async () => {
    const permissions = await talend(t.url, 'GET', '/account/service-accounts/permissions', { token: pat });
    expect((permissions.body as any[]).map((p) => permissionSchema(p).id)).toEqual(expect.arrayContaining(ALL_PERMISSIONS));
  });

  test('PUT /account/service-accounts/{id}: name and permissions', async () => {
    const updated = await talend(t.url, 'PUT', `/account/service-accounts/${id}`, { token: pat, body: { name: 'conformance-sa-2', permissions: ['TMC_ENGINE_USE'] } });
    expect(updated.status).toBe(200);
    expect(serviceAccountSchema(updated.body)).toMatchObject({ name: 'conformance-sa-2', permissions: ['TMC_ENGINE_USE'] });
  });

  test('POST /security/oauth/token: Basic base64(id:secret) and a JSON body, as the use cases send it', async () => {
    const token = await talend(t.url, 'POST', '/security/oauth/token', {
      headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
      body: { audience: 'https://api.talend.io', grant_type: 'client_credentials' },
      version: null,
    });
    expect(token.status).toBe(200);
    expect(tokenSchema(token.body).expiresIn).toBe(1800);
  });

  test('the talendVersion query parameter and the talend-version header are accepted', async () => {
    const query = await talend(t.url, 'GET', `/account/service-accounts/${id}?talendVersion=${TALEND_VERSION}`, { token: pat, version: null });
    expect(query.status).toBe(200);
    const header = await talend(t.url, 'GET', `/account/service-accounts/${id}`, { token: pat, version: TALEND_VERSION });
    expect(header.status).toBe(200);
  });

  test('errors: 401 without a valid token, 404 for an unknown id, in the Error schema', async () => {
    const anonymous = await talend(t.url, 'GET', '/account/service-accounts', { token: 'kgpat_wrong' });
    expect(anonymous.status).toBe(401);
    errorSchema(anonymous.body, 401);
    const missing = await talend(t.url, 'GET', '/account/service-accounts/00000000-0000-4000-8000-000000000000', { token: pat });
    expect(missing.status).toBe(404);
    errorSchema(missing.body, 404);
  });

  test('DELETE /account/service-accounts/{id}: 204, then 404', async () => {
    const deleted = await talend(t.url, 'DELETE', `/account/service-accounts/${id}`, { token: pat });
    expect(deleted.status).toBe(204);
    expect(deleted.response.text).toBe('');
    expect((await talend(t.url, 'GET', `/account/service-accounts/${id}`, { token: pat })).status).toBe(404);
  });
});

describe('personal access tokens', () => {
  test('create, list (no values), delete', async () => {
    const created = await talend(t.url, 'POST', '/account/personal-access-tokens', { token: pat, body: { name: 'script' } });
    expect(created.status).toBe(201);
    const body = created.body as Record<string, any>;
    expect(body.token).toMatch(/^kgpat_/);
    const list = await talend(t.url, 'GET', '/account/personal-access-tokens', { token: pat });
    expect((list.body as any[]).map((p) => p.id)).toContain(body.id);
    expect(list.response.text).not.toContain(body.token);
    expect((await talend(t.url, 'DELETE', `/account/personal-access-tokens/${body.id}`, { token: pat })).status).toBe(204);
  });
});
