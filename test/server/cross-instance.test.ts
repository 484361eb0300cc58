import { Client } from 'pg';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/database';
import { codes, expectOk, graphql } from '../support/graphql';
import { startGatewayProcess, type GatewayProcess } from '../support/process';
import { subscribe } from '../support/ws';
import { basic, clientToken, createOAuthClient, form, rest } from '../plugins/alation/alation-support';

// Several gateway processes share one PostgreSQL; embedded PGlite is one process by design.
const onServer = onPostgres ? describe : describe.skip;
jest.setTimeout(180_000);

const OPERATOR = 'cross-instance-operator-token-0123';
const REVOKED = 'subscription { tokenRevoked(provider: TALEND) { subjectId serviceAccountId } }';

onServer('two gateway processes on one PostgreSQL', () => {
  let database: TestDatabase;
  let a: GatewayProcess;
  let b: GatewayProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    // One public URL for both, as behind a load balancer: a token's `iss` is built from it, so either instance verifies the other's.
    const env = { DATABASE_URL: database.url!, KEYGATE_OPERATOR_TOKEN: OPERATOR, KEYGATE_MASTER_KEY: 'y'.repeat(44), KEYGATE_PUBLIC_URL: 'https://keygate.example.com' };
    a = await startGatewayProcess(env);
    b = await startGatewayProcess(env);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  async function talendAccountWithToken(name: string) {
    const created = expectOk(await graphql(a.url, 'mutation($name: String!) { createServiceAccount(input: { provider: TALEND, user: $name, permissions: [] }) { serviceAccount { id } } }', { name }, OPERATOR));
    const id = created.createServiceAccount.serviceAccount.id;
    const token = expectOk(await graphql(a.url, 'mutation($id: ID!) { createAccessToken(input: { serviceAccountId: $id }) { accessToken { id } secret } }', { id }, OPERATOR)).createAccessToken;
    return { id, tokenId: token.accessToken.id as string, token: token.secret as string };
  }

  const until = async (what: () => Promise<boolean>, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await what()) return Date.now();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('condition not met in time');
  };

  test('a revocation made through A reaches a subscriber on B, also after its listener connection is killed', async () => {
    const sub = await subscribe(b.url, OPERATOR, REVOKED);
    try {
      const first = await talendAccountWithToken('cross-1');
      expectOk(await graphql(a.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: first.tokenId }, OPERATOR));
      expect((await sub.next(1))[0].tokenRevoked.subjectId).toBe(first.tokenId);

      const admin = new Client({ connectionString: database.url });
      await admin.connect();
      const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'keygate-listener' AND datname = current_database()`);
      await admin.end();
      expect(killed.rowCount).toBe(2);

      // Made while B's listener is down: it arrives once B reconnects and catches up from the table.
      const second = await talendAccountWithToken('cross-2');
      expectOk(await graphql(a.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: second.tokenId }, OPERATOR));
      const events = await sub.next(2, 15_000);
      expect(events.map((e) => e.tokenRevoked.subjectId)).toEqual([first.tokenId, second.tokenId]);
    } finally {
      sub.dispose();
    }
  });

  test('a key rotation made through A reaches B: B signs with the new key within seconds, its old tokens keep working', async () => {
    const created = expectOk(await graphql(a.url, 'mutation { createServiceAccount(input: { provider: TALEND, name: "rotating", permissions: [] }) { serviceAccount { id } secret } }', {}, OPERATOR)).createServiceAccount;
    const exchange = async (url: string) => {
      const response = await fetch(`${url}/security/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${created.serviceAccount.id}:${created.secret}`).toString('base64')}` },
        body: JSON.stringify({ audience: 'https://api.talend.io', grant_type: 'client_credentials' }),
      });
      const token = ((await response.json()) as { access_token: string }).access_token;
      return { token, kid: JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid as string };
    };
    const before = await exchange(b.url);
    const rotated = expectOk(await graphql(a.url, 'mutation { rotateSigningKey { kid publishedKids } }', {}, OPERATOR)).rotateSigningKey;
    expect(rotated.kid).not.toBe(before.kid);
    expect(rotated.publishedKids).toEqual(expect.arrayContaining([rotated.kid, before.kid]));
    await until(async () => (await exchange(b.url)).kid === rotated.kid, 15_000);
    for (const url of [a.url, b.url]) expect(expectOk(await graphql(url, '{ viewer { name } }', {}, before.token)).viewer.name).toBe('rotating');
  });

  test('a credential cached by B stops working there once A revokes it', async () => {
    const account = await talendAccountWithToken('cross-cache');
    for (let i = 0; i < 3; i++) expectOk(await graphql(b.url, '{ viewer { name } }', {}, account.token));
    const revokedAt = Date.now();
    expectOk(await graphql(a.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: account.tokenId }, OPERATOR));
    const refusedAt = await until(async () => codes(await graphql(b.url, '{ viewer { name } }', {}, account.token))[0] === 'UNAUTHENTICATED');
    // The window is NOTIFY delivery plus one read of the event table; well under a second here.
    expect(refusedAt - revokedAt).toBeLessThan(5_000);
  });

  test('a client and a token B has cached stop working there once A revokes the token or regenerates the secret', async () => {
    const client = await createOAuthClient(a.url, 'VIEWER', { name: 'cross-client', token: OPERATOR });
    const token = await clientToken(b.url, client);
    const introspect = (secret: string) => form(b.url, '/oauth/v2/introspect/', { token }, { authorization: basic(client.clientId, secret) });
    // B now holds the client, the token's row and its verified signature.
    for (let i = 0; i < 3; i++) expect((await introspect(client.clientSecret)).body.active).toBe(true);
    expect((await form(a.url, '/oauth/v2/revoke/', { token }, { authorization: basic(client.clientId, client.clientSecret) })).status).toBe(200);
    const revokedAt = Date.now();
    const inactiveAt = await until(async () => (await introspect(client.clientSecret)).body.active === false);
    expect(inactiveAt - revokedAt).toBeLessThan(5_000);

    const regenerated = await rest(a.url, `/oauth/v2/clients/${client.clientId}/secret/`, {}, { authorization: `Bearer ${OPERATOR}` });
    expect(regenerated.status).toBe(200);
    const regeneratedAt = Date.now();
    const refusedAt = await until(async () => (await introspect(client.clientSecret)).status === 401);
    expect(refusedAt - regeneratedAt).toBeLessThan(5_000);
    expect((await introspect(regenerated.body.client_secret)).status).toBe(200);
  });
});
