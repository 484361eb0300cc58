import { fragmentBomb, manyDirectives, manyOperations, nestedLists, wideFragments } from '../../bench/support/hostile-documents';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { expectOk, graphql } from '../support/graphql';
import { wsClient, wsOperation } from '../support/ws';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

/** Each hostile shape, the code it is refused with and what the message names. */
const REFUSED: [string, string, string, RegExp][] = [
  ['fragment bomb, 30 doubled fragments', fragmentBomb(30), 'GRAPHQL_VALIDATION_FAILED', /Cost limit of 50000 exceeded/],
  ['fragment bomb, 60 doubled fragments', fragmentBomb(60), 'GRAPHQL_VALIDATION_FAILED', /Cost limit of 50000 exceeded/],
  // 100 doubled fragments are past the token limit: refused at parsing, before validation starts.
  ['fragment bomb, 100 doubled fragments', fragmentBomb(100), 'GRAPHQL_PARSE_FAILED', /more that 1000 tokens/],
  ['60 fragments of one alias each', wideFragments(60), 'GRAPHQL_VALIDATION_FAILED', /Aliases limit of 50 exceeded/],
  ['lists nested 14 levels', nestedLists(14), 'GRAPHQL_VALIDATION_FAILED', /depth limit of 12 exceeded/],
  ['1000 operations in one document', manyOperations(1000), 'GRAPHQL_PARSE_FAILED', /more that 1000 tokens/],
  ['60 directives', manyDirectives(60), 'GRAPHQL_VALIDATION_FAILED', /Directives limit of 50 exceeded/],
];

const postAnonymous = (query: string) =>
  fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body: JSON.stringify({ query }) });

const healthy = async () => (await fetch(`${t.url}/healthz`)).status;

test.each(REFUSED)('anonymous %s: a 400 naming the limit, before anything runs', async (_name, query, code, message) => {
  const response = await postAnonymous(query);
  expect(response.status).toBe(400);
  const body = (await response.json()) as { data?: unknown; errors: { message: string; extensions: { code: string } }[] };
  expect(body.data).toBeUndefined();
  expect(body.errors.map((e) => e.extensions.code)).toContain(code);
  expect(body.errors.map((e) => e.message).join('\n')).toMatch(message);
});

test('/healthz answers while the hostile documents are being refused, and after', async () => {
  const sent = Promise.all(REFUSED.flatMap(([, query]) => [postAnonymous(query), postAnonymous(query)]).map(async (r) => (await r).status));
  const healthDuring = await healthy();
  expect(await sent).toEqual(REFUSED.flatMap(() => [400, 400]));
  expect(healthDuring).toBe(200);
  expect(await healthy()).toBe(200);
});

test('documents inside the limits still run: 10 doubled fragments, 12 levels, 50 aliases', async () => {
  expect(expectOk(await graphql(t.url, fragmentBomb(10), {}, OPERATOR_TOKEN)).viewer.name).toBeTruthy();
  expect(expectOk(await graphql(t.url, wideFragments(50), {}, OPERATOR_TOKEN)).viewer.a49).toBeTruthy();
  expect(expectOk(await graphql(t.url, nestedLists(4), {}, OPERATOR_TOKEN)).serviceAccounts.nodes).toEqual(expect.any(Array));
});

test('the WebSocket path refuses the same documents with the same codes and keeps serving', async () => {
  const { client } = wsClient(t.url, OPERATOR_TOKEN);
  try {
    for (const [, query, code, message] of REFUSED) {
      const result = await wsOperation(client, query);
      expect(result.data).toBeUndefined();
      expect(result.errors?.map((e) => e.extensions?.code)).toContain(code);
      expect(result.errors?.map((e) => e.message).join('\n')).toMatch(message);
    }
    expect((await wsOperation(client, fragmentBomb(10))).data?.viewer.name).toBeTruthy();
    expect(await healthy()).toBe(200);
  } finally {
    await client.dispose();
  }
});
