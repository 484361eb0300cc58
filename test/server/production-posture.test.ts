import { buildClientSchema, getIntrospectionQuery, printSchema } from 'graphql';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { expectOk, graphql } from '../support/graphql';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

test('introspection needs a credential; with one, a codegen-style introspection builds the schema', async () => {
  for (const query of ['{ __schema { types { name } } }', '{ __type(name: "ServiceAccount") { fields { name } } }', getIntrospectionQuery()]) {
    const anonymous = await graphql(t.url, query);
    expect(anonymous.data).toBeUndefined();
    expect(anonymous.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(anonymous.errors?.[0].message).toMatch(/Introspection needs a credential/);
  }
  const schema = buildClientSchema(expectOk(await graphql(t.url, getIntrospectionQuery(), {}, OPERATOR_TOKEN)));
  expect(printSchema(schema)).toContain('type ServiceAccount');
  expect(expectOk(await graphql(t.url, '{ __typename }')).__typename).toBe('Query');
});

test('"Did you mean" suggestions only for authenticated callers', async () => {
  const anonymous = await graphql(t.url, '{ serviceAcounts { totalCount } }');
  expect(anonymous.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  expect(anonymous.errors?.[0].message).toMatch(/Cannot query field "serviceAcounts" on type "Query"\.$/);
  expect(anonymous.raw).not.toMatch(/Did you mean|serviceAccounts/);
  const enumValue = await graphql(t.url, '{ serviceAccounts(provider: ALATON) { totalCount } }');
  expect(enumValue.raw).not.toMatch(/Did you mean|ALATION/);
  const operator = await graphql(t.url, '{ serviceAcounts { totalCount } }', {}, OPERATOR_TOKEN);
  expect(operator.errors?.[0].message).toMatch(/Did you mean "serviceAccounts"/);
});

test('security headers on every kind of response; the console keeps its own CSP', async () => {
  const answers = await Promise.all([
    fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }),
    fetch(`${t.url}/healthz`),
    fetch(`${t.url}/no/such/route`),
    fetch(`${t.url}/integration/v1/validateAPIAccessToken/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' }),
    fetch(`${t.url}/.well-known/jwks.json`),
  ]);
  for (const answer of answers) {
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    expect(answer.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(answer.headers.get('x-powered-by')).toBeNull();
  }
  const page = await fetch(`${t.url}/console`);
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  expect(page.headers.get('cache-control')).toBe('no-store');
});

test('an APQ hash that does not match its query is a 400 with a code of its own, not an internal error', async () => {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }),
  });
  expect(response.status).toBe(400);
  const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
  expect(body.errors[0].extensions.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
  expect(body.errors[0].message).toMatch(/sha does not match/i);
});
