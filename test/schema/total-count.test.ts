import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { expectOk, graphql } from '../support/graphql';

/** `totalCount` reads every matching row: it is counted only when the query selects it. */
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ countStatements: true });
  // The audit chain's sealer runs every second after writes: its statements are not the query's.
  await t.gateway.core.audit.chain.stop();
  for (const name of ['count-a', 'count-b', 'count-c'])
    expectOk(await graphql(t.url, 'mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { serviceAccount { id } } }', { input: { provider: 'EXAMPLE', name } }, OPERATOR_TOKEN));
});
afterAll(() => t.close());

/** Statements of one query (the fewest of four runs, once the event tailer is idle: background pollers count too) and its data. */
async function run(query: string): Promise<{ statements: number; data: any }> {
  const counts: number[] = [];
  let data: any;
  for (let attempt = 0; attempt < 4; attempt++) {
    await t.gateway.core.events.settle();
    const before = t.gateway.db.statementCount;
    data = expectOk(await graphql(t.url, query, {}, OPERATOR_TOKEN));
    counts.push(t.gateway.db.statementCount - before);
  }
  return { statements: Math.min(...counts), data };
}

test.each([
  ['serviceAccounts', 'serviceAccounts(provider: EXAMPLE, first: 2)', 3],
  ['tokens', 'tokens(filter: { provider: EXAMPLE }, first: 2)', 0],
])('%s: one statement more with totalCount, directly or through a fragment', async (_name, field, total) => {
  const without = await run(`{ list: ${field} { nodes { id } pageInfo { hasNextPage } } }`);
  const direct = await run(`{ list: ${field} { totalCount nodes { id } } }`);
  const fragment = await run(`query { list: ${field} { ...Counted nodes { id } } } fragment Counted on ${field.startsWith('tokens') ? 'TokenConnection' : 'ServiceAccountConnection'} { totalCount }`);
  expect(direct.statements).toBe(without.statements + 1);
  expect(fragment.statements).toBe(without.statements + 1);
  expect(direct.data.list.totalCount).toBe(total);
  expect(fragment.data.list.totalCount).toBe(total);
  expect(without.data.list.nodes).toEqual(direct.data.list.nodes);
});
