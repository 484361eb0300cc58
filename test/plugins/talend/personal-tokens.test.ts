import type { TestGateway } from '../../support/gateway';
import { codes, expectOk, graphql } from '../../support/graphql';
import {
  columnsHolding,
  createPersonalTokenGql,
  createServiceAccountGql,
  createUser,
  exchange,
  OPERATOR_TOKEN,
  rest,
  startTalendGateway,
  userWithToken,
} from './talend-support';

let t: TestGateway;
let admin: { id: string; token: string; tokenId: string };
beforeAll(async () => {
  t = await startTalendGateway();
  admin = await userWithToken(t, 'admin@example.com', ['TMC_USER_MANAGEMENT', 'TMC_ENGINE_USE']);
});
afterAll(() => t.close());

const TOKENS_OF = `query($id: ID!) { serviceAccount(id: $id) { accessTokens { id kind name status createdAt lastUsedAt } } }`;

test('GraphQL: a user creates a personal token, shown once; reads show times, never the value', async () => {
  const userId = await createUser(t, 'gql-user@example.com', ['TMC_ENGINE_USE']);
  const first = expectOk(await createPersonalTokenGql(t, { serviceAccountId: userId, name: 'laptop' })).createAccessToken;
  expect(first.secret).toMatch(/^kgpat_/);
  expect(first.accessToken).toMatchObject({ kind: 'personal', name: 'laptop', status: 'ACTIVE', expiresAt: null, lastUsedAt: null });
  // The user creates another for itself, naming no one (the caller is the owner).
  const second = await createPersonalTokenGql(t, { name: 'ci' }, first.secret);
  const issued = expectOk(second).createAccessToken;
  expect(issued.secret).toMatch(/^kgpat_/);
  const read = await graphql(t.url, TOKENS_OF, { id: userId }, first.secret);
  expect(expectOk(read).serviceAccount.accessTokens.map((x: { name: string }) => x.name)).toEqual(['laptop', 'ci']);
  expect(read.raw).not.toContain(first.secret);
  expect(read.raw).not.toContain(issued.secret);
  expect(await columnsHolding(t, first.secret)).toEqual([]);
  expect(await columnsHolding(t, issued.secret)).toEqual([]);
});

test('REST: POST /account/personal-access-tokens, shown once; the list shows creation and last use', async () => {
  const user = await userWithToken(t, 'rest-user@example.com', ['TMC_ENGINE_USE']);
  const created = await rest(t, 'POST', '/account/personal-access-tokens', { token: user.token, body: { name: 'scripts' } });
  expect(created.status).toBe(201);
  expect(created.headers.get('cache-control')).toBe('no-store');
  expect(created.body).toEqual({
    id: expect.any(String),
    userId: user.id,
    name: 'scripts',
    createdDate: t.clock.now().toISOString(),
    lastUsedDate: null,
    expirationDate: null,
    token: expect.stringMatching(/^kgpat_/),
  });
  const value = created.body.token as string;
  const listed = await rest(t, 'GET', '/account/personal-access-tokens', { token: user.token });
  expect(listed.status).toBe(200);
  expect(listed.text).not.toContain(value);
  expect(listed.body.find((x: { id: string }) => x.id === created.body.id)).toEqual({ ...created.body, token: undefined, lastUsedDate: null });
  expect(await columnsHolding(t, value)).toEqual([]);

  // Use it, a minute later: the last use shows on both faces.
  t.clock.advance(61_000);
  const usedAt = t.clock.now().toISOString();
  expect((await rest(t, 'GET', '/account/service-accounts/permissions', { token: value })).status).toBe(200);
  let lastUsedDate: string | null = null;
  for (let attempt = 0; attempt < 50 && !lastUsedDate; attempt++) {
    const mine = await rest(t, 'GET', '/account/personal-access-tokens', { token: user.token });
    lastUsedDate = mine.body.find((x: { id: string }) => x.id === created.body.id).lastUsedDate;
    if (!lastUsedDate) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(lastUsedDate).toBe(usedAt);
  const viaGraphql = expectOk(await graphql(t.url, TOKENS_OF, { id: user.id }, OPERATOR_TOKEN)).serviceAccount.accessTokens;
  expect(viaGraphql.find((x: { id: string }) => x.id === created.body.id).lastUsedAt).toBe(usedAt);
});

test("a personal token carries the user's current permissions: change the user, the token follows", async () => {
  const user = await userWithToken(t, 'follower@example.com', ['TMC_ENGINE_USE']);
  expect((await rest(t, 'GET', '/account/users', { token: user.token })).status).toBe(403);
  // An administrator grants Users - Manage (which the administrator holds).
  const granted = await rest(t, 'PUT', `/account/users/${user.id}`, { token: admin.token, body: { permissions: ['TMC_ENGINE_USE', 'TMC_USER_MANAGEMENT'] } });
  expect(granted.status).toBe(200);
  expect(granted.body).toMatchObject({ id: user.id, name: 'follower@example.com', permissions: ['TMC_ENGINE_USE', 'TMC_USER_MANAGEMENT'] });
  expect((await rest(t, 'GET', '/account/users', { token: user.token })).status).toBe(200);
  expect(expectOk(await graphql(t.url, '{ viewer { permissions } }', {}, user.token)).viewer.permissions).toEqual(['TMC_ENGINE_USE', 'TMC_USER_MANAGEMENT']);
  // … and takes it away again: the same token loses it at once.
  expect((await rest(t, 'PUT', `/account/users/${user.id}`, { token: admin.token, body: { permissions: ['TMC_ENGINE_USE'] } })).status).toBe(200);
  expect((await rest(t, 'GET', '/account/users', { token: user.token })).status).toBe(403);
  // The administrator cannot grant what it does not hold.
  const escalate = await rest(t, 'PUT', `/account/users/${user.id}`, { token: admin.token, body: { permissions: ['TMC_SERVICE_ACCOUNT_MANAGEMENT'] } });
  expect(escalate.status).toBe(403);
  expect(escalate.body.message).toContain('TMC_SERVICE_ACCOUNT_MANAGEMENT');
});

test('at most 5 active personal tokens per user: the sixth is refused with a message that says so', async () => {
  const user = await userWithToken(t, 'five@example.com', []);
  for (let i = 2; i <= 5; i++) expect((await rest(t, 'POST', '/account/personal-access-tokens', { token: user.token, body: { name: `t${i}` } })).status).toBe(201);
  const sixthRest = await rest(t, 'POST', '/account/personal-access-tokens', { token: user.token, body: { name: 't6' } });
  expect(sixthRest.status).toBe(409);
  expect(sixthRest.body).toEqual({ status: 409, error: 'conflict', message: 'A user may hold at most 5 active personal access tokens; delete one before creating another.' });
  const sixthGql = await createPersonalTokenGql(t, { serviceAccountId: user.id, name: 't6' });
  expect(codes(sixthGql)).toEqual(['CONFLICT']);
  expect(sixthGql.errors![0].message).toContain('at most 5 active personal access tokens');
  // Deleting one makes room.
  const mine = (await rest(t, 'GET', '/account/personal-access-tokens', { token: user.token })).body as { id: string }[];
  expect(mine).toHaveLength(5);
  expect((await rest(t, 'DELETE', `/account/personal-access-tokens/${mine[4].id}`, { token: user.token })).status).toBe(204);
  expect((await rest(t, 'POST', '/account/personal-access-tokens', { token: user.token, body: { name: 't6' } })).status).toBe(201);
});

test('concurrent creates cannot make a sixth', async () => {
  const userId = await createUser(t, 'racer@example.com', []);
  const results = await Promise.all(Array.from({ length: 9 }, (_, i) => createPersonalTokenGql(t, { serviceAccountId: userId, name: `race-${i}` })));
  expect(results.filter((r) => !r.errors).length).toBe(5);
  expect(results.filter((r) => r.errors).map((r) => codes(r)[0])).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT']);
  const [{ n }] = await t.gateway.db.dataSource.query(`SELECT count(*)::int AS n FROM access_token WHERE owner_id = $1 AND revoked_at IS NULL`, [userId]);
  expect(n).toBe(5);
});

test('personal tokens belong to users: not to service accounts, not made for someone else', async () => {
  const sa = expectOk(await createServiceAccountGql(t, 'robot', ['TMC_USER_MANAGEMENT'])).createServiceAccount;
  const saToken = (await exchange(t, sa.serviceAccount.id, sa.secret)).body.access_token;
  const forSelf = await createPersonalTokenGql(t, { name: 'nope' }, saToken);
  expect(codes(forSelf)).toEqual(['BAD_USER_INPUT']);
  expect(forSelf.errors![0].message).toContain('/security/oauth/token');
  expect((await rest(t, 'POST', '/account/personal-access-tokens', { token: saToken, body: { name: 'nope' } })).status).toBe(400);
  expect(codes(await createPersonalTokenGql(t, { serviceAccountId: sa.serviceAccount.id }))).toEqual(['BAD_USER_INPUT']);
  // Even a user administrator cannot create another user's token: it is personal.
  const victim = await createUser(t, 'victim@example.com', []);
  expect(codes(await createPersonalTokenGql(t, { serviceAccountId: victim, name: 'x' }, admin.token))).toEqual(['FORBIDDEN']);
  expect((await rest(t, 'POST', '/account/personal-access-tokens', { token: admin.token, body: { name: 'x', userId: victim } })).status).toBe(403);
  expect(codes(await createPersonalTokenGql(t, { refreshTokenId: victim }))).toEqual(['NOT_FOUND']);
});

test("an administrator with TMC_USER_MANAGEMENT lists and deletes any user's tokens, one or all", async () => {
  const user = await userWithToken(t, 'managed@example.com', ['TMC_ENGINE_USE']);
  const more = [];
  // Creation order is the listing order; a clock that stands still would leave it to chance.
  for (let i = 0; i < 3; i++) {
    t.clock.advance(1000);
    more.push((await rest(t, 'POST', '/account/personal-access-tokens', { token: user.token, body: { name: `m${i}` } })).body);
  }

  // List, on both faces.
  const listed = await rest(t, 'GET', `/account/users/${user.id}/personal-access-tokens`, { token: admin.token });
  expect(listed.status).toBe(200);
  expect(listed.body.map((x: { name: string }) => x.name)).toEqual(['managed@example.com-pat', 'm0', 'm1', 'm2']);
  expect(listed.text).not.toContain(user.token);
  const gqlList = expectOk(await graphql(t.url, TOKENS_OF, { id: user.id }, admin.token)).serviceAccount.accessTokens;
  expect(gqlList).toHaveLength(4);

  // Without the permission: only one's own.
  const other = await userWithToken(t, 'nosy@example.com', ['TMC_ENGINE_USE']);
  expect((await rest(t, 'GET', `/account/users/${user.id}/personal-access-tokens`, { token: other.token })).status).toBe(403);
  expect(codes(await graphql(t.url, TOKENS_OF, { id: user.id }, other.token))).toEqual(['FORBIDDEN']);
  expect((await rest(t, 'DELETE', `/account/users/${user.id}/personal-access-tokens/${more[0].id}`, { token: other.token })).status).toBe(403);
  expect((await rest(t, 'DELETE', `/account/personal-access-tokens/${more[0].id}`, { token: other.token })).status).toBe(403);
  expect((await rest(t, 'GET', `/account/users/${user.id}/personal-access-tokens`, { token: user.token })).status).toBe(200);

  // Delete one over REST: it stops at once.
  expect((await rest(t, 'DELETE', `/account/users/${user.id}/personal-access-tokens/${more[0].id}`, { token: admin.token })).status).toBe(204);
  expect((await rest(t, 'GET', '/account/personal-access-tokens', { token: more[0].token })).status).toBe(401);
  expect((await rest(t, 'DELETE', `/account/users/${user.id}/personal-access-tokens/${more[0].id}`, { token: admin.token })).status).toBe(404);
  // A token id under the wrong user is not found.
  expect((await rest(t, 'DELETE', `/account/users/${other.id}/personal-access-tokens/${more[1].id}`, { token: admin.token })).status).toBe(404);

  // Delete one over GraphQL.
  const revoked = expectOk(await graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { accessToken { id status revokedAt } } }', { id: more[1].id }, admin.token));
  expect(revoked.revokeToken.accessToken).toMatchObject({ id: more[1].id, status: 'REVOKED' });
  expect(codes(await graphql(t.url, '{ viewer { name } }', {}, more[1].token))).toEqual(['UNAUTHENTICATED']);

  // Bulk: every remaining token of the user at once.
  const bulk = await rest(t, 'DELETE', `/account/users/${user.id}/personal-access-tokens`, { token: admin.token });
  expect(bulk.status).toBe(200);
  expect(bulk.body.deleted).toBe(2);
  expect([...bulk.body.ids].sort()).toEqual([user.tokenId, more[2].id].sort());
  for (const token of [user.token, more[2].token]) expect((await rest(t, 'GET', '/account/service-accounts/permissions', { token })).status).toBe(401);
  expect((await rest(t, 'GET', `/account/users/${user.id}/personal-access-tokens`, { token: admin.token })).body).toEqual([]);
  // Unknown users: 404.
  expect((await rest(t, 'GET', '/account/users/00000000-0000-4000-8000-000000000000/personal-access-tokens', { token: admin.token })).status).toBe(404);
  expect((await rest(t, 'DELETE', '/account/users/nope/personal-access-tokens', { token: admin.token })).status).toBe(404);
});

test('users: created by the operator or a user administrator, deleting one ends its tokens', async () => {
  const created = expectOk(
    await graphql(t.url, 'mutation { createServiceAccount(input: { provider: TALEND, user: "new@example.com", permissions: ["TMC_ENGINE_USE"] }) { serviceAccount { id kind name clientId } secret } }', {}, admin.token),
  ).createServiceAccount;
  expect(created).toEqual({ serviceAccount: { id: expect.any(String), kind: 'user', name: 'new@example.com', clientId: null }, secret: null });
  const got = await rest(t, 'GET', `/account/users/${created.serviceAccount.id}`, { token: admin.token });
  expect(got.body).toMatchObject({ id: created.serviceAccount.id, name: 'new@example.com', permissions: ['TMC_ENGINE_USE'] });
  const pat = expectOk(await createPersonalTokenGql(t, { serviceAccountId: created.serviceAccount.id, name: 'x' })).createAccessToken.secret;
  expect(expectOk(await graphql(t.url, '{ viewer { kind name } }', {}, pat)).viewer).toEqual({ kind: 'user', name: 'new@example.com' });
  // A user is not a service account on the REST face, and has no id:secret.
  expect((await rest(t, 'DELETE', `/account/service-accounts/${created.serviceAccount.id}`, { token: OPERATOR_TOKEN })).status).toBe(404);
  const deleted = expectOk(await graphql(t.url, 'mutation($id: ID!) { deleteServiceAccount(id: $id) { revokedTokenCount } }', { id: created.serviceAccount.id }, admin.token));
  expect(deleted.deleteServiceAccount.revokedTokenCount).toBe(1);
  expect(codes(await graphql(t.url, '{ viewer { kind } }', {}, pat))).toEqual(['UNAUTHENTICATED']);
});
