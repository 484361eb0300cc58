import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { expectOk, graphql } from '../support/graphql';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ countStatements: true });
  // The audit chain's sealer runs every second after writes: its statements are not the query's.
  await t.gateway.core.audit.chain.stop();
  await graphql(t.url, 'mutation { createPersona(input: { provider: EXAMPLE, name: "Readers" }) { id } }', {}, OPERATOR_TOKEN);
});
afterAll(() => t.close());

const LIST = `query($first: Int!) {
  serviceAccounts(provider: EXAMPLE, first: $first) {
    totalCount
    nodes {
      id name
      permissions { id name }
      personas { qualifiedName }
      refreshTokens { id status accessToken { id status } owner { id } }
      accessTokens { id status refreshToken { id name } owner { name } }
    }
  }
}`;

async function addAccounts(from: number, to: number) {
  for (let i = from; i < to; i++) {
    const created = expectOk(
      await graphql(t.url, 'mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { serviceAccount { id } } }', { input: { provider: 'EXAMPLE', name: `loader-${i}`, permissions: ['EXAMPLE_READ'], personaQualifiedNames: ['default/readers'] } }, OPERATOR_TOKEN),
    ).createServiceAccount.serviceAccount.id;
    const refresh = expectOk(await graphql(t.url, 'mutation($id: ID!) { createRefreshToken(input: { serviceAccountId: $id, name: "r" }) { refreshToken { id } } }', { id: created }, OPERATOR_TOKEN)).createRefreshToken.refreshToken.id;
    expectOk(await graphql(t.url, 'mutation($id: ID!) { createAccessToken(input: { refreshTokenId: $id }) { accessToken { id } } }', { id: refresh }, OPERATOR_TOKEN));
  }
}

/** Statements of one list query, once the event tailer has read what the setup wrote (its reads count too). */
async function statementsFor(first: number): Promise<number> {
  const counts: number[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    await t.gateway.core.events.settle();
    const before = t.gateway.db.statementCount;
    const data = expectOk(await graphql(t.url, LIST, { first }, OPERATOR_TOKEN));
    expect(data.serviceAccounts.nodes).toHaveLength(first);
    counts.push(t.gateway.db.statementCount - before);
  }
  return Math.min(...counts);
}

test('a list query costs the same number of statements for 5 rows and for 40', async () => {
  await addAccounts(0, 5);
  const small = await statementsFor(5);
  await addAccounts(5, 40);
  const large = await statementsFor(40);
  expect(large).toBe(small);
  expect(small).toBeLessThanOrEqual(12);
});
