import { bearerFor, createUser as createAtlanUser } from '../plugins/atlan/atlan-support';
import { createOAuthClient } from '../plugins/alation/alation-support';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { graphql } from '../support/graphql';
import { rowCounts } from '../support/secret-scan';
import { wsClient, wsOperation } from '../support/ws';

let t: TestGateway;
let atlanBearer: string;
let clientId: string;
beforeAll(async () => {
  t = await startTestGateway();
  atlanBearer = (await bearerFor(t.url, await createAtlanUser(t.url, 'bad-input', '$admin'))).secret;
  clientId = (await createOAuthClient(t.url, 'VIEWER')).clientId;
});
afterAll(() => t.close());

/** A raw request: the bytes exactly as given, so that broken UTF-8 arrives broken. */
async function raw(method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}) {
  const response = await fetch(`${t.url}${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${OPERATOR_TOKEN}`, ...headers }, body: typeof body === 'string' ? body : body && new Uint8Array(body) });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) };
}

const BROKEN_UTF8 = (prefix: string, suffix: string) => Buffer.concat([Buffer.from(prefix), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(suffix)]);
const ATLAN_BAD_INPUT = { error: 'bad_user_input', code: 'BAD_USER_INPUT', message: expect.any(String) };
const LONE_SURROGATE = '"x\\ud800y"';

function expectNoLeak(text: string) {
  expect(text).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+|SELECT |INSERT |invalid byte sequence|stack/i);
}

test('REST: NUL, lone surrogates and broken UTF-8 in path, query and body are 400s in the vendor shape, and change nothing', async () => {
  const before = await rowCounts(t);
  const atlan = { authorization: `Bearer ${atlanBearer}` };
  const alationBody = (name: string) => `{"username":"nobody@example.com","password":"Whatever-1234","name":${name}}`;
  const cases: [string, Awaited<ReturnType<typeof raw>>, Record<string, unknown>][] = [
    ['OAuth client secret, NUL in the path', await raw('POST', '/oauth/v2/clients/%00/secret/'), { error: 'invalid_request', error_description: expect.stringMatching(/text must be valid UTF-8/) }],
    ['OAuth client secret, lone surrogate in the path', await raw('POST', '/oauth/v2/clients/%ED%A0%80/secret/'), { error: 'invalid_request', error_description: expect.stringMatching(/text must be valid UTF-8/) }],
    ['Atlan API token, NUL in displayName', await raw('POST', '/api/service/apikeys', '{"displayName":"a\\u0000b","description":"","personas":[],"personaQualifiedNames":[]}', atlan), ATLAN_BAD_INPUT],
    ['Atlan API token, lone surrogate in displayName', await raw('POST', '/api/service/apikeys', `{"displayName":${LONE_SURROGATE}}`, atlan), ATLAN_BAD_INPUT],
    ['Atlan API token, broken UTF-8 body', await raw('POST', '/api/service/apikeys', BROKEN_UTF8('{"displayName":"', '"}'), atlan), ATLAN_BAD_INPUT],
    ['Atlan list, NUL in the query string', await raw('GET', '/api/service/apikeys?filter=%00', undefined, atlan), ATLAN_BAD_INPUT],
    ['Alation createRefreshToken, NUL in name', await raw('POST', '/integration/v1/createRefreshToken/', alationBody('"a\\u0000"')), { code: '400000', title: 'Invalid Payload' }],
    ['Alation createRefreshToken, NUL in a key', await raw('POST', '/integration/v1/createRefreshToken/', '{"a\\u0000":1}'), { code: '400000' }],
    ['Alation createRefreshToken, broken UTF-8', await raw('POST', '/integration/v1/createRefreshToken/', BROKEN_UTF8('{"name":"', '"}')), { code: '400000' }],
    ['Talend token, NUL in a form field', await raw('POST', '/security/oauth/token', 'grant_type=client%00credentials', { 'content-type': 'application/x-www-form-urlencoded' }), {}],
  ];
  for (const [name, response, shape] of cases) {
    expect({ name, status: response.status, body: response.json }).toEqual({ name, status: 400, body: response.json });
    expect({ name, body: response.json }).toMatchObject({ name, body: shape });
    expectNoLeak(response.text);
  }
  expect(cases[0][1].text).not.toContain(clientId);
  expect(await rowCounts(t)).toEqual(before);
});

test('GraphQL over HTTP: NUL or a lone surrogate in variables, broken UTF-8 in the body: 400 BAD_USER_INPUT naming the field', async () => {
  const before = await rowCounts(t);
  const create = 'mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { secret } }';
  const nul = await graphql(t.url, create, { input: { provider: 'ATLAN', displayName: 'a\u0000b', description: '', personaQualifiedNames: [], validitySeconds: 3600 } }, OPERATOR_TOKEN);
  expect(nul.status).toBe(400);
  expect(nul.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'variables.input.displayName' } });
  const surrogate = await raw('POST', '/graphql', `{"query":${JSON.stringify(create)},"variables":{"input":{"provider":"EXAMPLE","name":${LONE_SURROGATE}}}}`);
  expect(surrogate.status).toBe(400);
  expect(surrogate.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  const broken = await raw('POST', '/graphql', BROKEN_UTF8('{"query":"{ viewer { name } }","variables":{"a":"', '"}}'));
  expect(broken.status).toBe(400);
  expect(broken.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  const viaGet = await raw('GET', `/graphql?query=${encodeURIComponent('{ viewer { name } }')}&variables=${encodeURIComponent('{"a":"\\u0000"}')}`);
  expect(viaGet.status).toBe(400);
  expect(viaGet.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  expect((await graphql(t.url, '{ viewer { name(x: "\u0000") } }', {}, OPERATOR_TOKEN)).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
  for (const response of [nul.raw, surrogate.text, broken.text, viaGet.text]) expectNoLeak(response);
  expect(await rowCounts(t)).toEqual(before);
});

test('graphql-ws: a NUL in the variables is BAD_USER_INPUT, and the connection keeps serving', async () => {
  const before = await rowCounts(t);
  const { client } = wsClient(t.url, OPERATOR_TOKEN);
  try {
    const refused = await wsOperation(client, 'mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { secret } }', { input: { provider: 'EXAMPLE', name: 'x\u0000' } });
    expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0].message).toMatch(/variables\.input\.name/);
    expect((await wsOperation(client, '{ viewer { name } }')).data?.viewer.name).toBeTruthy();
  } finally {
    await client.dispose();
  }
  expect(await rowCounts(t)).toEqual(before);
});
