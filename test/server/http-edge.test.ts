import { exampleAccountWithToken } from '../support/example-flow';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { codes, expectOk, graphql } from '../support/graphql';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ config: { maxBodyBytes: 64 * 1024 } });
});
afterAll(() => t.close());

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${t.url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, ...headers }, body });

function expectNoLeak(text: string) {
  expect(text).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+|SELECT |INSERT |stacktrace/i);
}

test('health and readiness', async () => {
  expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ status: 'ok' });
  const ready = await fetch(`${t.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready' });
});

// Request errors answered as application/json are 200, as the GraphQL-over-HTTP spec says for that
// media type (test/conformance/graphql-clients.test.ts has the 400 of application/graphql-response+json).
test('malformed GraphQL is a request error with a clear message', async () => {
  const response = await post(JSON.stringify({ query: '{ viewer { name ' }));
  expect(response.status).toBe(200);
  const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
  expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  expect(body.errors[0].message).toMatch(/Syntax Error/);
});

test('unknown fields fail validation', async () => {
  const response = await post(JSON.stringify({ query: '{ viewer { password } }' }));
  expect(response.status).toBe(200);
  expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
});

test('a body that is not JSON is a 400', async () => {
  const response = await post('{"query": ');
  expect(response.status).toBe(400);
  const text = await response.text();
  expect(text).toContain('not valid JSON');
  expectNoLeak(text);
});

test('wrong content types are refused with 4xx', async () => {
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const response = await post(JSON.stringify({ query: '{ viewer { name } }' }), { 'content-type': type });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expectNoLeak(await response.text());
  }
});

test('an oversize body is a 413', async () => {
  const response = await post(JSON.stringify({ query: '{ viewer { name } }', variables: { pad: 'x'.repeat(100 * 1024) } }));
  expect(response.status).toBe(413);
  const text = await response.text();
  expect(text).toContain('larger than');
  expectNoLeak(text);
});

test('queries nested too deep are refused before they run', async () => {
  let selection = 'id';
  for (let i = 0; i < 8; i++) selection = `owner { refreshTokens { ${selection} } }`;
  const response = await graphql(t.url, `query($id: ID!) { node(id: $id) { ... on RefreshToken { ${selection} } } }`, { id: '00000000-0000-0000-0000-000000000000' }, OPERATOR_TOKEN);
  expect(response.status).toBe(200);
  expect(response.data).toBeUndefined();
  expect(response.errors![0].message).toMatch(/Query depth limit of 12 exceeded/);
});

test('too many aliases are refused', async () => {
  const aliases = Array.from({ length: 60 }, (_, i) => `a${i}: viewer { name }`).join(' ');
  const response = await graphql(t.url, `{ ${aliases} }`, {}, OPERATOR_TOKEN);
  expect(response.status).toBe(200);
  expect(response.data).toBeUndefined();
  expect(response.errors![0].message).toMatch(/Aliases limit of 50 exceeded/);
});

test('bad arguments are BAD_USER_INPUT and change nothing', async () => {
  const before = expectOk(await graphql(t.url, '{ serviceAccounts { totalCount } }', {}, OPERATOR_TOKEN)).serviceAccounts.totalCount;
  const cases: [string, Record<string, unknown>][] = [
    ['mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { secret } }', { input: { provider: 'EXAMPLE', name: 'x', permissions: ['NOPE'] } }],
    ['mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { secret } }', { input: { provider: 'EXAMPLE', name: 'y', role: 'admin' } }],
    ['mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { secret } }', { input: { provider: 'EXAMPLE', name: 'z', email: 'not-an-email' } }],
    ['mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { secret } }', { input: { provider: 'NOPE', name: 'z' } }],
    ['{ serviceAccounts(first: 1001) { totalCount } }', {}],
    ['{ serviceAccounts(after: "garbage") { totalCount } }', {}],
  ];
  for (const [query, variables] of cases) {
    const response = await graphql(t.url, query, variables, OPERATOR_TOKEN);
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expectNoLeak(response.raw);
  }
  const unknownPermission = await graphql(t.url, cases[0][0], cases[0][1], OPERATOR_TOKEN);
  expect(unknownPermission.errors![0].message).toContain('NOPE');
  const badRole = await graphql(t.url, cases[1][0], cases[1][1], OPERATOR_TOKEN);
  expect(badRole.errors![0].message).toContain('ADMIN, MEMBER');
  expect(expectOk(await graphql(t.url, '{ serviceAccounts { totalCount } }', {}, OPERATOR_TOKEN)).serviceAccounts.totalCount).toBe(before);
});

test('duplicates are CONFLICT; missing objects are NOT_FOUND or null', async () => {
  await exampleAccountWithToken(t.url, 'edge-dup');
  const again = await graphql(t.url, 'mutation { createServiceAccount(input: { provider: EXAMPLE, name: "edge-dup" }) { secret } }', {}, OPERATOR_TOKEN);
  expect(codes(again)).toEqual(['CONFLICT']);
  const missing = await graphql(t.url, 'mutation { revokeToken(id: "00000000-0000-0000-0000-000000000000") { revokedIds } }', {}, OPERATOR_TOKEN);
  expect(codes(missing)).toEqual(['NOT_FOUND']);
  const none = await graphql(t.url, '{ serviceAccount(id: "nope") { id } node(id: "nope") { id } }', {}, OPERATOR_TOKEN);
  expect(expectOk(none)).toEqual({ serviceAccount: null, node: null });
});

test('policy decides: a MEMBER may not create accounts or read others, but may read itself', async () => {
  const member = await exampleAccountWithToken(t.url, 'edge-member');
  const other = await exampleAccountWithToken(t.url, 'edge-other');
  const create = await graphql(t.url, 'mutation { createServiceAccount(input: { provider: EXAMPLE, name: "nope" }) { secret } }', {}, member.token);
  expect(codes(create)).toEqual(['FORBIDDEN']);
  const readOther = await graphql(t.url, 'query($id: ID!) { serviceAccount(id: $id) { id } }', { id: other.id }, member.token);
  expect(codes(readOther)).toEqual(['FORBIDDEN']);
  const readSelf = await graphql(t.url, 'query($id: ID!) { serviceAccount(id: $id) { name } }', { id: member.id }, member.token);
  expect(expectOk(readSelf).serviceAccount.name).toBe('edge-member');
  const revokeOther = await graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: other.accessTokenId }, member.token);
  expect(codes(revokeOther)).toEqual(['FORBIDDEN']);
  // Refusals are audited without waiting on the request (it may hold a transaction): poll briefly.
  let audit: { action: string; outcome: string }[] = [];
  for (let i = 0; i < 100 && !audit.some((a) => a.action === 'token.revoke'); i++) {
    audit = await t.gateway.db.dataSource.query(`SELECT action, outcome FROM audit_event WHERE outcome = 'denied'`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(audit).toEqual(expect.arrayContaining([{ action: 'serviceAccount.create', outcome: 'denied' }, { action: 'token.revoke', outcome: 'denied' }]));
});

test('unknown routes are a JSON 404', async () => {
  const response = await fetch(`${t.url}/nope`);
  expect(response.status).toBe(404);
  expect(await response.json()).toMatchObject({ error: 'not_found' });
});

test('provider REST routes are mounted and share credentials', async () => {
  const account = await exampleAccountWithToken(t.url, 'edge-rest');
  const response = await fetch(`${t.url}/example/whoami`, { headers: { authorization: `Bearer ${account.token}` } });
  expect(await response.json()).toEqual({ name: 'edge-rest', provider: 'example', role: 'MEMBER' });
  expect((await fetch(`${t.url}/example/whoami`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
});
