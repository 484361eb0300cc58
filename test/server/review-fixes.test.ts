import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { codes, expectOk, graphql } from '../support/graphql';
import { wsClient, wsOperation } from '../support/ws';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

async function talendUser(name: string, permissions: string[]) {
  const id = expectOk(await graphql(t.url, 'mutation($name: String!, $p: [String!]) { createServiceAccount(input: { provider: TALEND, user: $name, permissions: $p }) { serviceAccount { id } } }', { name, p: permissions }, OPERATOR_TOKEN)).createServiceAccount.serviceAccount.id as string;
  const pat = expectOk(await graphql(t.url, 'mutation($id: ID!) { createAccessToken(input: { serviceAccountId: $id }) { secret } }', { id }, OPERATOR_TOKEN)).createAccessToken.secret as string;
  return { id, pat };
}

test('an open WebSocket runs each operation with the grants the credential has now', async () => {
  const admin = await talendUser('ws-admin@example.com', ['TMC_USER_MANAGEMENT']);
  const { client } = wsClient(t.url, admin.pat);
  try {
    const before = await wsOperation(client, '{ viewer { permissions } }');
    expect(before.data).toEqual({ viewer: { permissions: ['TMC_USER_MANAGEMENT'] } });
    expectOk(await graphql(t.url, 'mutation($id: ID!) { updateServiceAccount(id: $id, input: { permissions: ["TMC_ENGINE_USE"] }) { name } }', { id: admin.id }, OPERATOR_TOKEN));
    const after = await wsOperation(client, '{ viewer { permissions } }');
    expect(after.data).toEqual({ viewer: { permissions: ['TMC_ENGINE_USE'] } });
    const create = await wsOperation(client, 'mutation { createServiceAccount(input: { provider: TALEND, user: "ws-sneaky@example.com" }) { secret } }');
    expect(create.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  } finally {
    await client.dispose();
  }
});

test('a lookup that races a revocation does not put the revoked credential into the cache', async () => {
  const user = await talendUser('racer@example.com', []);
  const dataSource = t.gateway.db.dataSource;
  const original = dataSource.query.bind(dataSource);
  let delayed = false;
  // Stand-in for a slow round trip: the credential lookup answers, then its caller waits.
  dataSource.query = (async (sql: string, ...rest: unknown[]) => {
    const result = await (original as (...args: unknown[]) => Promise<unknown>)(sql, ...rest);
    if (!delayed && sql.includes('FROM access_token t')) {
      delayed = true;
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    return result;
  }) as typeof dataSource.query;
  try {
    const racing = graphql(t.url, '{ viewer { name } }', {}, user.pat);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const tokenId = expectOk(await graphql(t.url, 'query($id: ID!) { serviceAccount(id: $id) { accessTokens { id } } }', { id: user.id }, OPERATOR_TOKEN)).serviceAccount.accessTokens[0].id;
    expectOk(await graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: tokenId }, OPERATOR_TOKEN));
    await racing;
  } finally {
    dataSource.query = original;
  }
  expect(codes(await graphql(t.url, '{ viewer { name } }', {}, user.pat))).toEqual(['UNAUTHENTICATED']);
});

test("listing accounts does not reveal grants or tokens the caller may not read", async () => {
  // One act on both faces: listing users needs what reading them needs (GET /account/users is 403 too).
  const saManager = await talendUser('sa-manager@example.com', ['TMC_SERVICE_ACCOUNT_MANAGEMENT']);
  await talendUser('someone@example.com', ['TMC_ENGINE_USE']);
  expect(codes(await graphql(t.url, '{ serviceAccounts(provider: TALEND, kind: "user") { nodes { name } } }', {}, saManager.pat))).toEqual(['FORBIDDEN']);
  const listed = expectOk(await graphql(t.url, '{ serviceAccounts(provider: TALEND) { nodes { name kind permissions { id } accessTokens { id } } } }', {}, saManager.pat));
  expect(listed.serviceAccounts.nodes.map((n: { kind: string }) => n.kind)).not.toContain('user');
  const all = expectOk(await graphql(t.url, '{ serviceAccounts { nodes { name provider } } }', {}, saManager.pat));
  expect(all.serviceAccounts.nodes.find((n: { name: string }) => n.name === 'someone@example.com')).toBeUndefined();
});

test('odd input that reached SQL is now a clear 4xx, never a 500', async () => {
  const z = 'z'.repeat(36);
  const cursor = Buffer.from('1|00000000-0000-0000-0000-000000000000').toString('base64url');
  const cases: [string, Record<string, unknown>, string | null][] = [
    [`{ serviceAccount(id: "${z}") { id } node(id: "------------------------------------") { id } }`, {}, null],
    [`mutation { revokeAllTokens(serviceAccountId: "${z}") { revokedIds } }`, {}, 'NOT_FOUND'],
    [`mutation { revokeAccessTokens(refreshTokenId: "${z}") { revokedIds } }`, {}, 'NOT_FOUND'],
    ['query($c: String) { serviceAccounts(after: $c) { totalCount } }', { c: cursor }, 'BAD_USER_INPUT'],
    ['query($c: String) { personas(after: $c) { totalCount } }', { c: cursor }, 'BAD_USER_INPUT'],
    ['{ auditEvents(before: "9999999999999999999") { id } }', {}, 'BAD_USER_INPUT'],
    ['mutation { createServiceAccount(input: { provider: TALEND, name: "kgat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }) { secret } }', {}, 'BAD_USER_INPUT'],
  ];
  for (const [query, variables, code] of cases) {
    const response = await graphql(t.url, query, variables, OPERATOR_TOKEN);
    if (code === null) expect(expectOk(response)).toEqual({ serviceAccount: null, node: null });
    else expect(codes(response)).toEqual([code]);
  }
  const jwtName = await fetch(`${t.url}/integration/v1/createRefreshToken/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'nobody', password: 'x', name: 'eyJhbGciOi.eyJzdWIi.x' }),
  });
  expect(jwtName.status).toBeLessThan(500);
});
