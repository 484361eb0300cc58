import { LocalCommands } from '../../src/server/operator-commands';
import { exampleAccountWithToken } from '../support/example-flow';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { expectOk, graphql } from '../support/graphql';
import { cliEnvironment, runCli, startGatewayProcess, type CliEnvironment } from '../support/process';

jest.setTimeout(240_000);
const DAY = 86_400_000;

describe('stale tokens, as the report lists them', () => {
  let t: TestGateway;
  let commands: LocalCommands;
  beforeAll(async () => {
    t = await startTestGateway({ config: { lifespans: { example: { access: 90 * 86_400, refresh: 90 * 86_400 } } } });
    commands = new LocalCommands({ core: t.gateway.core, providers: t.gateway.providers, applied: [] });
  });
  afterAll(() => t.close());

  /** Uses the token and waits for its last use to be written (the write is off the request path). */
  async function use(account: { accessTokenId: string; token: string }) {
    expectOk(await graphql(t.url, '{ viewer { name } }', {}, account.token));
    for (;;) {
      const [row] = await t.gateway.db.dataSource.query('SELECT last_used_at FROM access_token WHERE id = $1', [account.accessTokenId]);
      if (row.last_used_at && new Date(row.last_used_at).getTime() === t.clock.now().getTime()) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  test('active tokens unused for N days, never-used old ones included, recent and revoked ones left out; the same as tokens(filter)', async () => {
    const usedLongAgo = await exampleAccountWithToken(t.url, 'stale-old');
    const usedLately = await exampleAccountWithToken(t.url, 'stale-lately');
    const revoked = await exampleAccountWithToken(t.url, 'stale-revoked');
    expectOk(await graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: revoked.refreshTokenId }, OPERATOR_TOKEN));
    await use(usedLongAgo);
    t.clock.advance(10 * DAY);
    await use(usedLately);
    const fresh = await exampleAccountWithToken(t.url, 'stale-fresh');

    const report = await commands.staleTokens(5);
    expect(report.unusedSince).toBe(new Date(t.clock.now().getTime() - 5 * DAY).toISOString());
    const listed = report.tokens.map((row) => row.id).sort();
    // Refresh tokens are never "used" by a bearer call: both created ten days ago are stale.
    expect(listed).toEqual([usedLongAgo.accessTokenId, usedLongAgo.refreshTokenId, usedLately.refreshTokenId].sort());
    expect(report.tokens.find((row) => row.id === usedLongAgo.accessTokenId)).toMatchObject({ type: 'access', provider: 'example', serviceAccountName: 'stale-old', serviceAccountId: usedLongAgo.id });
    for (const id of [usedLately.accessTokenId, revoked.refreshTokenId, revoked.accessTokenId, fresh.refreshTokenId, fresh.accessTokenId]) expect(listed).not.toContain(id);

    const viaGraphql = expectOk(
      await graphql(t.url, 'query($before: DateTime) { tokens(filter: { status: ACTIVE, lastUsedBefore: $before }, first: 1000) { nodes { id } } }', { before: report.unusedSince }, OPERATOR_TOKEN),
    );
    expect(viaGraphql.tokens.nodes.map((n: { id: string }) => n.id).sort()).toEqual(listed);

    t.clock.advance(1000);
    expect((await commands.staleTokens(0)).tokens.map((row) => row.id)).toEqual(expect.arrayContaining([fresh.refreshTokenId, usedLately.accessTokenId]));
    expect((await commands.staleTokens(11)).tokens).toEqual([]);
  });

  test('a bad number of days is BAD_USER_INPUT', async () => {
    for (const days of [-1, 1.5, 3651, NaN]) await expect(commands.staleTokens(days)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('npx keygate report stale', () => {
  let workspace: CliEnvironment;
  let env: Record<string, string>;
  beforeAll(async () => {
    workspace = await cliEnvironment('stale', 'z'.repeat(44));
    ({ env } = workspace);
  });
  afterAll(() => workspace.dispose());

  test('lists what the running server holds (control socket on PGlite, the database on PostgreSQL), then with the server stopped', async () => {
    const operator = 'stale-report-operator-token-0123';
    const server = await startGatewayProcess({ ...env, KEYGATE_OPERATOR_TOKEN: operator });
    let tokenId: string;
    let owner: string;
    try {
      const created = expectOk(
        await graphql(server.url, 'mutation { createServiceAccount(input: { provider: TALEND, user: "stale-cli@example.com", permissions: [] }) { serviceAccount { id name } } }', {}, operator),
      ).createServiceAccount;
      owner = created.serviceAccount.name;
      tokenId = expectOk(await graphql(server.url, 'mutation($id: ID!) { createAccessToken(input: { serviceAccountId: $id }) { accessToken { id } } }', { id: created.serviceAccount.id }, operator))
        .createAccessToken.accessToken.id;

      const all = await runCli(['report', 'stale', '--days', '0', '--json'], env);
      expect(all.status).toBe(0);
      const report = JSON.parse(all.stdout);
      expect(report.days).toBe(0);
      expect(report.tokens).toEqual([expect.objectContaining({ id: tokenId, type: 'access', provider: 'talend', serviceAccountName: owner, lastUsedAt: null })]);

      // The default: 90 days.
      const none = await runCli(['report', 'stale'], env);
      expect(none.status).toBe(0);
      expect(none.stdout).toContain('0 active token(s) unused since');
    } finally {
      await server.stop();
    }
    const table = await runCli(['report', 'stale', '--days', '0'], env);
    expect(table.status).toBe(0);
    expect(table.stdout.split('\n')[0]).toBe('id\ttype\tprovider\towner\tname\tcreated\tlast used\texpires');
    expect(table.stdout).toContain(`${tokenId}\taccess\ttalend\t${owner!}`);
    expect(table.stdout).toContain('1 active token(s) unused since');
  });

  test.each([[['--days', 'ten']], [['--days', '3651']], [['--days']]])('keygate report stale %j exits 2 with the usage and changes nothing', async (args) => {
    const result = await runCli(['report', 'stale', ...args], env);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Usage: keygate report stale');
    expect(result.stdout).toBe('');
  });
});
