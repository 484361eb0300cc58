import type { TestGateway } from '../../support/gateway';
import { codes, expectOk, graphql } from '../../support/graphql';
import {
  ALL_PERMISSIONS,
  columnsHolding,
  createServiceAccountGql,
  exchange,
  OPERATOR_TOKEN,
  rest,
  startTalendGateway,
  userWithToken,
} from './talend-support';

let t: TestGateway;
let manager: { id: string; token: string };
let limited: { id: string; token: string };
beforeAll(async () => {
  t = await startTalendGateway();
  // Holds Service Account - Manage and two grantable permissions, not the others.
  manager = await userWithToken(t, 'manager@example.com', ['TMC_SERVICE_ACCOUNT_MANAGEMENT', 'TMC_ENGINE_USE', 'AUDIT_LOGS_VIEW']);
  limited = await userWithToken(t, 'limited@example.com', ['TMC_ENGINE_USE']);
});
afterAll(() => t.close());

describe('permission catalog', () => {
  const expected = [
    { id: 'AUDIT_LOGS_VIEW', name: 'Audit logs - View' },
    { id: 'TMC_ENGINE_USE', name: 'Engines - Use' },
    { id: 'TMC_GROUP_MANAGEMENT', name: 'Groups - Manage' },
    { id: 'TMC_ROLE_MANAGEMENT', name: 'Roles - Manage' },
    { id: 'TMC_SERVICE_ACCOUNT_MANAGEMENT', name: 'Service Account - Manage' },
    { id: 'TMC_USER_MANAGEMENT', name: 'Users - Manage' },
  ];

  test('REST lists ids and display names', async () => {
    const res = await rest(t, 'GET', '/account/service-accounts/permissions', { token: manager.token });
    expect(res.status).toBe(200);
    expect([...res.body].sort((a, b) => a.id.localeCompare(b.id))).toEqual(expected);
  });

  test('GraphQL permissions(provider: TALEND) lists the same', async () => {
    const data = expectOk(await graphql(t.url, '{ permissions(provider: TALEND) { id name provider } }', {}, limited.token));
    expect(data.permissions).toEqual(expected.map((p) => ({ ...p, provider: 'TALEND' })));
  });

  test('unknown permission ids are rejected, naming the bad ones, on both faces', async () => {
    const res = await rest(t, 'POST', '/account/service-accounts', { token: manager.token, body: { name: 'bad-perms', permissions: ['TMC_ENGINE_USE', 'NOPE', 'ALSO_NOPE'] } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, error: 'bad_user_input', message: 'Unknown permission(s): NOPE, ALSO_NOPE.', unknown: ['NOPE', 'ALSO_NOPE'] });
    const gql = await createServiceAccountGql(t, 'bad-perms', ['NOPE'], OPERATOR_TOKEN);
    expect(codes(gql)).toEqual(['BAD_USER_INPUT']);
    expect(gql.errors![0].message).toContain('NOPE');
    const put = await rest(t, 'PUT', `/account/service-accounts/${manager.id}`, { token: OPERATOR_TOKEN, body: { permissions: ['WHAT'] } });
    expect(put.status).toBe(404); // a user is not a service account
  });
});

describe('service accounts over REST', () => {
  test('create, get, list, update, delete with vendor shapes and statuses', async () => {
    const created = await rest(t, 'POST', '/account/service-accounts', { token: manager.token, body: { name: 'etl-runner', permissions: ['TMC_ENGINE_USE'] } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'etl-runner',
      permissions: ['TMC_ENGINE_USE'],
      createdDate: new Date(created.body.createdDate).toISOString(),
      lastModifiedDate: created.body.createdDate,
      secret: expect.stringMatching(/^kgsa_/),
    });
    expect(created.headers.get('cache-control')).toBe('no-store');
    const { id } = created.body;

    const got = await rest(t, 'GET', `/account/service-accounts/${id}`, { token: manager.token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ id, name: 'etl-runner', permissions: ['TMC_ENGINE_USE'], createdDate: created.body.createdDate, lastModifiedDate: created.body.createdDate });

    const list = await rest(t, 'GET', '/account/service-accounts', { token: manager.token });
    expect(list.status).toBe(200);
    expect(list.body).toContainEqual(got.body);
    expect(list.body.every((a: Record<string, unknown>) => !('secret' in a))).toBe(true);
    // Users are not service accounts.
    expect(list.body.map((a: { name: string }) => a.name)).not.toContain('manager@example.com');

    t.clock.advance(5_000);
    const updated = await rest(t, 'PUT', `/account/service-accounts/${id}`, { token: manager.token, body: { name: 'etl-runner-2', permissions: ['TMC_ENGINE_USE', 'AUDIT_LOGS_VIEW'] } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, name: 'etl-runner-2', permissions: ['AUDIT_LOGS_VIEW', 'TMC_ENGINE_USE'], createdDate: created.body.createdDate });
    expect(Date.parse(updated.body.lastModifiedDate) - Date.parse(created.body.createdDate)).toBe(5_000);
    expect(updated.body).not.toHaveProperty('secret');

    // A token of the account, its credential cached: a rename shows at once (no event announces a rename).
    const bearer = (await exchange(t, id, created.body.secret)).body.access_token as string;
    for (let i = 0; i < 2; i++) expect(expectOk(await graphql(t.url, '{ viewer { name } }', {}, bearer)).viewer.name).toBe('etl-runner-2');

    // An absent field stays; an empty list clears.
    const renamed = await rest(t, 'PUT', `/account/service-accounts/${id}`, { token: manager.token, body: { name: 'etl-runner-3' } });
    expect(renamed.body.permissions).toEqual(['AUDIT_LOGS_VIEW', 'TMC_ENGINE_USE']);
    expect(expectOk(await graphql(t.url, '{ viewer { name } }', {}, bearer)).viewer.name).toBe('etl-runner-3');
    const cleared = await rest(t, 'PUT', `/account/service-accounts/${id}`, { token: manager.token, body: { permissions: [] } });
    expect(cleared.body).toMatchObject({ name: 'etl-runner-3', permissions: [] });

    // The id and secret never change: an update does not touch them, and there is no rotate.
    const stillWorks = await exchange(t, id, created.body.secret);
    expect(stillWorks.status).toBe(200);

    const deleted = await rest(t, 'DELETE', `/account/service-accounts/${id}`, { token: manager.token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await rest(t, 'GET', `/account/service-accounts/${id}`, { token: manager.token })).status).toBe(404);
    expect((await rest(t, 'DELETE', `/account/service-accounts/${id}`, { token: manager.token })).status).toBe(404);
  });

  test('unknown ids get 404 with a JSON status and message, never 500', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "x'; drop table service_account; --"]) {
      const path = `/account/service-accounts/${encodeURIComponent(id)}`;
      for (const [method, body] of [['GET'], ['PUT', { name: 'x' }], ['DELETE']] as const) {
        const res = await rest(t, method, path, { token: manager.token, body });
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ status: 404, error: 'not_found', message: 'Service account not found.' });
      }
    }
  });

  test('bad bodies: 400 as JSON, naming the problem', async () => {
    const noName = await rest(t, 'POST', '/account/service-accounts', { token: manager.token, body: { permissions: [] } });
    expect(noName.status).toBe(400);
    expect(noName.body).toMatchObject({ status: 400, message: 'name is required.' });
    const badPerms = await rest(t, 'POST', '/account/service-accounts', { token: manager.token, body: { name: 'x', permissions: 'TMC_ENGINE_USE' } });
    expect(badPerms.body).toMatchObject({ status: 400, message: 'permissions must be an array of permission ids.' });
    const malformed = await rest(t, 'POST', '/account/service-accounts', { token: manager.token, rawBody: '{"name": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ status: 400, error: 'bad_request', message: 'Request body is not valid JSON.' });
    expect(malformed.text).not.toMatch(/at .*\.js|SyntaxError/);
  });

  test('duplicate names conflict', async () => {
    expect((await rest(t, 'POST', '/account/service-accounts', { token: manager.token, body: { name: 'twice', permissions: [] } })).status).toBe(201);
    const again = await rest(t, 'POST', '/account/service-accounts', { token: manager.token, body: { name: 'twice', permissions: [] } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: 409, error: 'conflict' });
  });

  test('a caller cannot grant permissions it does not hold; the operator may', async () => {
    const escalate = await rest(t, 'POST', '/account/service-accounts', { token: manager.token, body: { name: 'escalated', permissions: ['TMC_ENGINE_USE', 'TMC_USER_MANAGEMENT'] } });
    expect(escalate.status).toBe(403);
    expect(escalate.body.message).toBe('You cannot grant permission(s) you do not hold: TMC_USER_MANAGEMENT.');
    const viaGraphql = await createServiceAccountGql(t, 'escalated', ['TMC_ROLE_MANAGEMENT'], manager.token);
    expect(codes(viaGraphql)).toEqual(['FORBIDDEN']);

    const own = await rest(t, 'POST', '/account/service-accounts', { token: manager.token, body: { name: 'grantee', permissions: ['TMC_ENGINE_USE'] } });
    const up = await rest(t, 'PUT', `/account/service-accounts/${own.body.id}`, { token: manager.token, body: { permissions: ['TMC_ENGINE_USE', 'TMC_GROUP_MANAGEMENT'] } });
    expect(up.status).toBe(403);
    expect(up.body.message).toContain('TMC_GROUP_MANAGEMENT');
    expect((await rest(t, 'GET', `/account/service-accounts/${own.body.id}`, { token: manager.token })).body.permissions).toEqual(['TMC_ENGINE_USE']);

    const byOperator = await rest(t, 'POST', '/account/service-accounts', { token: OPERATOR_TOKEN, body: { name: 'all-of-it', permissions: ALL_PERMISSIONS } });
    expect(byOperator.status).toBe(201);
    // Keeping a permission the caller lacks is not granting it: the manager may rename it and trim it.
    const keep = await rest(t, 'PUT', `/account/service-accounts/${byOperator.body.id}`, { token: manager.token, body: { name: 'all-but-engines', permissions: ALL_PERMISSIONS.filter((p) => p !== 'TMC_ENGINE_USE') } });
    expect(keep.status).toBe(200);
  });

  test('a service account token with Service Account - Manage manages service accounts too', async () => {
    const created = expectOk(await createServiceAccountGql(t, 'automation', ['TMC_SERVICE_ACCOUNT_MANAGEMENT', 'TMC_ENGINE_USE'])).createServiceAccount;
    const token = (await exchange(t, created.serviceAccount.id, created.secret)).body.access_token;
    const made = await rest(t, 'POST', '/account/service-accounts', { token, body: { name: 'made-by-automation', permissions: ['TMC_ENGINE_USE'] } });
    expect(made.status).toBe(201);
    const denied = await rest(t, 'POST', '/account/service-accounts', { token, body: { name: 'too-much', permissions: ['AUDIT_LOGS_VIEW'] } });
    expect(denied.status).toBe(403);
  });
});

describe('service accounts over GraphQL', () => {
  test('createServiceAccount: id = clientId, the secret once; reads never show it', async () => {
    const created = expectOk(await createServiceAccountGql(t, 'gql-account', ['TMC_ENGINE_USE'], manager.token)).createServiceAccount;
    expect(created.serviceAccount).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      clientId: created.serviceAccount.id,
      kind: 'service_account',
      name: 'gql-account',
      permissions: [{ id: 'TMC_ENGINE_USE', name: 'Engines - Use' }],
    });
    expect(created.secret).toMatch(/^kgsa_/);
    const { id } = created.serviceAccount;
    const read = await graphql(t.url, 'query($id: ID!) { serviceAccount(id: $id) { id name clientId } node(id: $id) { id } }', { id }, manager.token);
    expect(expectOk(read).serviceAccount).toEqual({ id, name: 'gql-account', clientId: id });
    expect(read.raw).not.toContain(created.secret);
    const list = await graphql(t.url, '{ serviceAccounts(provider: TALEND, first: 100) { totalCount nodes { id kind } } }', {}, manager.token);
    expect(expectOk(list).serviceAccounts.nodes).toContainEqual({ id, kind: 'service_account' });
    expect(list.raw).not.toContain(created.secret);
    // The REST face shows the same account.
    expect((await rest(t, 'GET', `/account/service-accounts/${id}`, { token: manager.token })).body).toMatchObject({ id, name: 'gql-account', permissions: ['TMC_ENGINE_USE'] });
    // Neither face's secret is stored in plain text anywhere.
    const viaRest = await rest(t, 'POST', '/account/service-accounts', { token: manager.token, body: { name: 'rest-account', permissions: [] } });
    expect(await columnsHolding(t, created.secret)).toEqual([]);
    expect(await columnsHolding(t, viaRest.body.secret)).toEqual([]);
    // But the hash is, so the check is real.
    const [row] = await t.gateway.db.dataSource.query('SELECT secret_hash FROM service_account WHERE id = $1', [id]);
    expect(await columnsHolding(t, row.secret_hash)).toEqual(['service_account.secret_hash']);
  });

  test('other vendors\' fields are refused, and name or user but not both', async () => {
    const withRole = await graphql(t.url, 'mutation { createServiceAccount(input: { provider: TALEND, name: "x", role: "ADMIN" }) { secret } }', {}, OPERATOR_TOKEN);
    expect(codes(withRole)).toEqual(['BAD_USER_INPUT']);
    expect(withRole.errors![0].message).toContain('role');
    const both = await graphql(t.url, 'mutation { createServiceAccount(input: { provider: TALEND, name: "x", user: "y" }) { secret } }', {}, OPERATOR_TOKEN);
    expect(codes(both)).toEqual(['BAD_USER_INPUT']);
  });

  test('deleteServiceAccount revokes every token of the account at once', async () => {
    const created = expectOk(await createServiceAccountGql(t, 'short-lived', ['TMC_ENGINE_USE'], manager.token)).createServiceAccount;
    const { id } = created.serviceAccount;
    const tokens = [];
    for (let i = 0; i < 3; i++) tokens.push((await exchange(t, id, created.secret)).body.access_token as string);
    for (const token of tokens) expect(expectOk(await graphql(t.url, '{ viewer { name kind } }', {}, token)).viewer).toEqual({ name: 'short-lived', kind: 'service_account' });
    const deleted = expectOk(await graphql(t.url, 'mutation($id: ID!) { deleteServiceAccount(id: $id) { deletedServiceAccountId revokedTokenCount } }', { id }, manager.token));
    expect(deleted.deleteServiceAccount).toEqual({ deletedServiceAccountId: id, revokedTokenCount: 3 });
    for (const token of tokens) {
      expect(codes(await graphql(t.url, '{ viewer { name } }', {}, token))).toEqual(['UNAUTHENTICATED']);
      expect((await rest(t, 'GET', '/account/service-accounts/permissions', { token })).status).toBe(401);
    }
    // The id:secret pair is dead too; to get a new pair, create a new account.
    expect((await exchange(t, id, created.secret)).status).toBe(401);
    expect(codes(await graphql(t.url, 'mutation($id: ID!) { deleteServiceAccount(id: $id) { deletedServiceAccountId } }', { id }, manager.token))).toEqual(['NOT_FOUND']);
  });

  test('deleting over REST revokes the tokens at once as well', async () => {
    const created = await rest(t, 'POST', '/account/service-accounts', { token: manager.token, body: { name: 'rest-deleted', permissions: ['TMC_ENGINE_USE'] } });
    const token = (await exchange(t, created.body.id, created.body.secret)).body.access_token;
    expect((await rest(t, 'GET', '/account/service-accounts/permissions', { token })).status).toBe(200);
    expect((await rest(t, 'DELETE', `/account/service-accounts/${created.body.id}`, { token: manager.token })).status).toBe(204);
    expect((await rest(t, 'GET', '/account/service-accounts/permissions', { token })).status).toBe(401);
    const [row] = await t.gateway.db.dataSource.query('SELECT revoked_at FROM access_token WHERE owner_id = $1', [created.body.id]);
    expect(row.revoked_at).not.toBeNull();
  });
});
