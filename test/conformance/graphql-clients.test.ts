import { auditServer, type AuditResult } from 'graphql-http';
import { Client, fetchExchange, gql } from '@urql/core';
import { ClientError, GraphQLClient } from 'graphql-request';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { subscribe } from '../support/ws';

/**
 * GraphQL clients nobody here wrote, on their defaults, against the real server: urql (queries as
 * GET), graphql-request, graphql-ws, and graphql-http's audit of the GraphQL-over-HTTP spec.
 */
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const CREATE_TOKEN = `mutation($name: String!) {
  createServiceAccount(input: {provider: ATLAN, displayName: $name, description: "", personaQualifiedNames: [], validitySeconds: 3600}) { serviceAccount { id name } secret }
}`;

/** A fetch that remembers the method of every request it sent. */
function recordingFetch(methods: string[]): typeof fetch {
  return (input, init) => {
    methods.push((init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase());
    return fetch(input, init);
  };
}

async function audit(headers: Record<string, string>): Promise<AuditResult[]> {
  return auditServer({
    url: `${t.url}/graphql`,
    fetchFn: (input: string | URL | Request, init: RequestInit = {}) => fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init.headers).entries()), ...headers } }),
  });
}

describe('graphql-http audit', () => {
  test('authenticated: every check ok (no error, warning or notice)', async () => {
    const results = await audit({ authorization: `Bearer ${OPERATOR_TOKEN}` });
    expect(results.length).toBeGreaterThan(50);
    expect(results.filter((r) => r.status !== 'ok').map((r) => `${r.status}: ${r.name}`)).toEqual([]);
  });

  // The two variables checks query `__type(name: $name)`: introspection, which needs a credential
  // (src/server/graphql-posture.ts); the authenticated audit above passes them.
  test('anonymous: no error and no warning but the introspecting variables checks; the only notices are the simple GETs CSRF protection refuses', async () => {
    const results = await audit({});
    expect(results.filter((r) => r.status === 'error' || r.status === 'warn').map((r) => r.name).sort()).toEqual([
      'MUST allow map {variables} parameter when accepting application/json',
      'SHOULD allow map {variables} parameter when accepting application/graphql-response+json',
    ]);
    const notices = results.filter((r) => r.status === 'notice');
    for (const notice of notices) expect(notice.name).toMatch(/GET/);
  });
});

describe('CSRF protection', () => {
  const get = (headers: Record<string, string> = {}) => fetch(`${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers });

  test('a simple anonymous GET is refused: it could come from any web page', async () => {
    const response = await get();
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).errors[0].message).toMatch(/Cross-Site Request Forgery/);
    // A form-encoded POST is a simple request too.
    const form = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(form.status).toBe(400);
  });

  test('a GET carrying Authorization or TOKEN is preflighted by browsers, so it is served', async () => {
    const bearer = await get({ authorization: `Bearer ${OPERATOR_TOKEN}` });
    expect(bearer.status).toBe(200);
    expect(await bearer.json()).toEqual({ data: { __typename: 'Query' } });
    const token = await get({ token: OPERATOR_TOKEN });
    expect(token.status).toBe(200);
  });
});

describe('request errors as the GraphQL-over-HTTP spec says', () => {
  const post = (body: object, accept: string) =>
    fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${OPERATOR_TOKEN}` }, body: JSON.stringify(body) });

  test.each([
    ['a document that does not parse', { query: '{' }, 'GRAPHQL_PARSE_FAILED'],
    ['a document that does not validate', { query: '{ noSuchField }' }, 'GRAPHQL_VALIDATION_FAILED'],
    ['variables that do not coerce', { query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id: { not: 'an id' } } }, 'BAD_USER_INPUT'],
  ])('%s: 200 for application/json, 400 for application/graphql-response+json', async (_name, body, code) => {
    const json = await post(body, 'application/json');
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    const parsed = (await json.json()) as any;
    expect(parsed.data).toBeUndefined();
    expect(parsed.errors[0].extensions.code).toBe(code);
    const modern = await post(body, 'application/graphql-response+json');
    expect(modern.status).toBe(400);
    expect(modern.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
  });

  test('an unauthenticated request keeps its 401', async () => {
    const response = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer nope' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(response.status).toBe(401);
  });
});

test('urql on its defaults: queries go as GET, mutations as POST, both answered', async () => {
  const methods: string[] = [];
  const client = new Client({
    url: `${t.url}/graphql`,
    exchanges: [fetchExchange],
    fetch: recordingFetch(methods),
    fetchOptions: { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } },
  });
  const viewer = await client.query(gql`{ viewer { isOperator name } }`, {}).toPromise();
  expect(viewer.error).toBeUndefined();
  expect(viewer.data.viewer).toEqual({ isOperator: true, name: 'operator' });
  expect(methods).toEqual(['GET']);

  const created = await client.mutation(gql(CREATE_TOKEN), { name: 'urql-token' }).toPromise();
  expect(created.error).toBeUndefined();
  expect(created.data.createServiceAccount.serviceAccount.name).toBe('urql-token');
  expect(created.data.createServiceAccount.secret).toEqual(expect.any(String));
  expect(methods).toEqual(['GET', 'POST']);

  // A GraphQL error reaches urql as a CombinedError with the code.
  const bad = await client.query(gql`query($id: ID!) { node(id: $id) { id } }`, { id: { not: 'an id' } }).toPromise();
  expect(bad.error?.graphQLErrors[0]?.extensions.code).toBe('BAD_USER_INPUT');
});

test('graphql-request: a query, a mutation, and a typed error', async () => {
  const client = new GraphQLClient(`${t.url}/graphql`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  await expect(client.request<{ viewer: { isOperator: boolean } }>('{ viewer { isOperator } }')).resolves.toEqual({ viewer: { isOperator: true } });
  const created = await client.request<{ createServiceAccount: { serviceAccount: { name: string } } }>(CREATE_TOKEN, { name: 'graphql-request-token' });
  expect(created.createServiceAccount.serviceAccount.name).toBe('graphql-request-token');
  const error = await client.request('{ noSuchField }').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ClientError);
  expect((error as ClientError).response.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  // Without a credential, graphql-request sees the 401 and the code.
  const anonymous = await new GraphQLClient(`${t.url}/graphql`, { headers: { authorization: 'Bearer wrong' } }).request('{ viewer { name } }').catch((e: unknown) => e);
  expect((anonymous as ClientError).response.status).toBe(401);
  expect((anonymous as ClientError).response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});

test('graphql-ws: a subscription receives the deletion a mutation made', async () => {
  const client = new GraphQLClient(`${t.url}/graphql`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  const created = await client.request<{ createServiceAccount: { serviceAccount: { id: string } } }>(CREATE_TOKEN, { name: 'graphql-ws-token' });
  const id = created.createServiceAccount.serviceAccount.id;
  const events = await subscribe(t.url, OPERATOR_TOKEN, 'subscription($id: ID) { tokenEvents(serviceAccountId: $id) { kind serviceAccountId } }', { id });
  try {
    await client.request('mutation($id: ID!) { deleteServiceAccount(id: $id) { deletedServiceAccountId } }', { id });
    const received = await events.next(1);
    expect(events.errors).toEqual([]);
    expect(received.map((e: any) => e.tokenEvents)).toContainEqual(expect.objectContaining({ serviceAccountId: id }));
  } finally {
    events.dispose();
  }
});
