import { createDurableTestDatabase, type TestDatabase } from '../support/database';
import { OPERATOR_TOKEN, startTestGateway } from '../support/gateway';
import { expectOk, graphql } from '../support/graphql';

let database: TestDatabase;

beforeAll(async () => {
  database = await createDurableTestDatabase('persist');
});
afterAll(() => database.drop());

test('50 concurrent mutations all commit and survive a restart', async () => {
  let t = await startTestGateway({ database });
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      graphql(t.url, 'mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { serviceAccount { id } } }', { input: { provider: 'EXAMPLE', name: `concurrent-${i}`, permissions: ['EXAMPLE_READ'] } }, OPERATOR_TOKEN),
    ),
  );
  // A few deliberate failures interleaved: their rollbacks must not undo anyone else's commit.
  const failures = await Promise.all(
    Array.from({ length: 5 }, () => graphql(t.url, 'mutation { createServiceAccount(input: { provider: EXAMPLE, name: "concurrent-0" }) { secret } }', {}, OPERATOR_TOKEN)),
  );
  for (const r of results) expectOk(r);
  for (const f of failures) expect(f.errors?.[0].extensions?.code).toBe('CONFLICT');
  const ids = results.map((r) => r.data.createServiceAccount.serviceAccount.id).sort();

  t = await t.restart();
  try {
    const listed = expectOk(await graphql(t.url, '{ serviceAccounts(provider: EXAMPLE, first: 100) { totalCount nodes { id permissions { id } } } }', {}, OPERATOR_TOKEN)).serviceAccounts;
    expect(listed.totalCount).toBe(50);
    expect(listed.nodes.map((n: { id: string }) => n.id).sort()).toEqual(ids);
    for (const node of listed.nodes) expect(node.permissions).toEqual([{ id: 'EXAMPLE_READ' }]);
    const [{ count }] = await t.gateway.db.dataSource.query(`SELECT count(*)::int AS count FROM token_event WHERE kind = 'CREATED' AND subject_type = 'SERVICE_ACCOUNT'`);
    expect(count).toBe(50);
  } finally {
    await t.gateway.stop();
  }
});
