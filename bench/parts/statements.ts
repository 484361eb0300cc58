import { startInProcess, IN_PROCESS_OPERATOR } from '../support/in-process';
import { withScratchDatabase } from '../support/processes';

/** SQL statements for one list query: constant in the page size (DataLoader batching), not one per row. */
export async function statements(): Promise<void> {
  console.log('\n## SQL statements for one list query (accounts with permissions, personas, refresh and access tokens)');
  await withScratchDatabase(async (databaseUrl) => {
    const gateway = await startInProcess({ countStatements: true, databaseUrl });
    try {
      const call = async (query: string, variables: Record<string, unknown> = {}) => {
        const res = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${IN_PROCESS_OPERATOR}` }, body: JSON.stringify({ query, variables }) });
        const json = (await res.json()) as { data: any; errors?: unknown };
        if (json.errors) throw new Error(JSON.stringify(json.errors));
        return json.data;
      };
      await call('mutation { createPersona(input: { provider: EXAMPLE, name: "Bench" }) { id } }');
      const plugin = gateway.providers.get('example');
      const ctx = { actor: await gateway.core.credentials.resolve(IN_PROCESS_OPERATOR), origin: 'bench' };
      await gateway.core.change(ctx, { provider: plugin, action: 'bench.seed' }, async (scope) => {
        const accounts = await gateway.core.principals.create(
          scope,
          plugin,
          Array.from({ length: 1000 }, (_, i) => ({ kind: 'service_account', name: `bench-${i}`, role: 'MEMBER', permissions: ['EXAMPLE_READ'], personaQualifiedNames: ['default/bench'] })),
        );
        for (const { record } of accounts) {
          const refresh = await gateway.core.tokens.issueRefreshToken(scope, plugin, record, 'bench');
          await gateway.core.tokens.issueAccessToken(scope, plugin, record, { kind: 'access', refreshTokenId: refresh.record.id });
        }
      });
      const query = `query($first: Int!) { serviceAccounts(provider: EXAMPLE, first: $first) { totalCount nodes { id name permissions { id } personas { qualifiedName }
        refreshTokens { id status accessToken { id status } } accessTokens { id status refreshToken { id } owner { id } } } } }`;
      for (const first of [10, 1000]) {
        // The event tailer's reads (catching up, or its poll) would count too: settle, best of three.
        const counts: number[] = [];
        let returned = 0;
        for (let run = 0; run < 3; run++) {
          await gateway.core.events.settle();
          const before = gateway.db.statementCount;
          returned = (await call(query, { first })).serviceAccounts.nodes.length;
          counts.push(gateway.db.statementCount - before);
        }
        console.log(`${String(first).padStart(5)} rows: ${Math.min(...counts)} statements (${returned} accounts returned)`);
      }
    } finally {
      await gateway.stop();
    }
  });
}
