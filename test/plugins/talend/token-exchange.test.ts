import { createPublicKey, verify } from 'node:crypto';
import type { TestGateway } from '../../support/gateway';
import { codes, expectOk, graphql } from '../../support/graphql';
import { basic, columnsHolding, createServiceAccountGql, createUser, exchange, OPERATOR_TOKEN, rest, startTalendGateway, userWithToken } from './talend-support';

let t: TestGateway;
let account: { id: string; secret: string };
beforeAll(async () => {
  t = await startTalendGateway();
  const created = expectOk(await createServiceAccountGql(t, 'exchanger', ['TMC_USER_MANAGEMENT', 'TMC_ENGINE_USE'])).createServiceAccount;
  account = { id: created.serviceAccount.clientId, secret: created.secret };
});
afterAll(() => t.close());

const decodePart = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
const viewer = (token: string) => graphql(t.url, '{ viewer { name kind permissions credentialExpiresAt } }', {}, token);

test('id:secret for a 30-minute signed token that verifies with the published key', async () => {
  const res = await exchange(t, account.id, account.secret, { audience: 'https://api.us.cloud.talend.com', grant_type: 'client_credentials' });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 1800 });
  expect(res.body).not.toHaveProperty('refresh_token');
  expect(res.headers.get('cache-control')).toBe('no-store');
  const jwt: string = res.body.access_token;
  const [head, body, signature] = jwt.split('.');
  const header = decodePart(head);
  const claims = decodePart(body);
  expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
  expect(claims).toMatchObject({
    iss: `${t.url}/security/oauth`,
    sub: account.id,
    client_id: account.id,
    aud: 'https://api.us.cloud.talend.com',
    permissions: ['TMC_ENGINE_USE', 'TMC_USER_MANAGEMENT'],
    jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
  });
  expect(claims.exp - claims.iat).toBe(1800);
  expect(claims.iat).toBe(Math.floor(t.clock.now().getTime() / 1000));

  // Verify independently, with nothing but node:crypto and the gateway's JWKS.
  const jwks = await (await fetch(`${t.url}/.well-known/jwks.json`)).json() as { keys: Record<string, unknown>[] };
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
  expect(jwk).not.toHaveProperty('d');
  const key = createPublicKey({ key: jwk as never, format: 'jwk' });
  const ok = verify('sha256', Buffer.from(`${head}.${body}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  expect(ok).toBe(true);
  // A changed payload does not verify, and the gateway refuses it.
  const forged = Buffer.from(JSON.stringify({ ...claims, permissions: ['TMC_SERVICE_ACCOUNT_MANAGEMENT'] })).toString('base64url');
  expect(verify('sha256', Buffer.from(`${head}.${forged}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).toBe(false);
  expect((await rest(t, 'GET', '/account/users', { token: `${head}.${forged}.${signature}` })).status).toBe(401);

  // The token is a bearer credential on both faces.
  expect(expectOk(await viewer(jwt)).viewer).toMatchObject({ name: 'exchanger', kind: 'service_account', permissions: ['TMC_ENGINE_USE', 'TMC_USER_MANAGEMENT'] });
  expect((await rest(t, 'GET', '/account/users', { token: jwt })).status).toBe(200);
  // Not stored: only its jti row is.
  expect(await columnsHolding(t, jwt)).toEqual([]);
  expect(await columnsHolding(t, signature)).toEqual([]);
  expect(await columnsHolding(t, claims.jti)).toEqual(['access_token.jti']);
});

test('the token lives 30 minutes, then stops; there is no refresh, ask again with the same pair', async () => {
  const jwt = (await exchange(t, account.id, account.secret)).body.access_token as string;
  const [{ id: tokenId }] = await t.gateway.db.dataSource.query('SELECT id FROM access_token WHERE jti = $1', [decodePart(jwt.split('.')[1]).jti]);
  t.clock.advance(1799 * 1000);
  expect((await rest(t, 'GET', '/account/users', { token: jwt })).status).toBe(200);
  t.clock.advance(1000);
  expect((await rest(t, 'GET', '/account/users', { token: jwt })).status).toBe(401);
  expect(codes(await viewer(jwt))).toEqual(['UNAUTHENTICATED']);
  const seen = expectOk(await graphql(t.url, 'query($id: ID!) { serviceAccount(id: $id) { accessTokens { id kind status } } }', { id: account.id }, OPERATOR_TOKEN));
  expect(seen.serviceAccount.accessTokens).toContainEqual({ id: tokenId, kind: 'exchanged', status: 'EXPIRED' });
  // The id and secret do not expire.
  const again = await exchange(t, account.id, account.secret);
  expect(again.status).toBe(200);
  expect((await rest(t, 'GET', '/account/users', { token: again.body.access_token })).status).toBe(200);
});

test('a wrong or missing pair is one 401 that does not say which part was wrong', async () => {
  const userId = await createUser(t, 'human@example.com', ['TMC_ENGINE_USE']);
  const other = expectOk(await createServiceAccountGql(t, 'other', [])).createServiceAccount;
  const attempts: Record<string, string | undefined> = {
    'no header': undefined,
    'wrong secret': basic(account.id, account.secret.slice(0, -1) + (account.secret.endsWith('A') ? 'B' : 'A')),
    "another account's secret": basic(account.id, other.secret),
    'unknown id': basic('00000000-0000-4000-8000-000000000000', account.secret),
    'id that is not a uuid': basic('myServiceAccount', account.secret),
    'empty secret': basic(account.id, ''),
    'no colon': `Basic ${Buffer.from(account.id).toString('base64')}`,
    'a user id': basic(userId, account.secret),
    'bearer instead of basic': `Bearer ${account.secret}`,
    'garbage': 'Basic !!!',
  };
  const bodies = new Set<string>();
  for (const [what, authorization] of Object.entries(attempts)) {
    const res = await rest(t, 'POST', '/security/oauth/token', {
      headers: authorization ? { authorization } : {},
      body: { audience: 'https://api.talend.io', grant_type: 'client_credentials' },
    });
    expect([what, res.status]).toEqual([what, 401]);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    bodies.add(res.text);
  }
  expect(bodies.size).toBe(1);
  expect(JSON.parse([...bodies][0])).toEqual({ status: 401, error: 'invalid_client', message: expect.any(String) });
  const failures = await t.gateway.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'talend.token.exchange' AND outcome = 'failed'`);
  expect(failures[0].n).toBe(Object.keys(attempts).length);
});

test('other grant types are a 400 naming the supported one; form-encoded bodies work too', async () => {
  for (const body of [{ grant_type: 'password', audience: 'x' }, { audience: 'x' }, { grant_type: 'refresh_token' }]) {
    const res = await exchange(t, account.id, account.secret, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, error: 'unsupported_grant_type', message: expect.stringContaining('"client_credentials"') });
  }
  const badAudience = await exchange(t, account.id, account.secret, { grant_type: 'client_credentials', audience: 42 });
  expect(badAudience.body).toMatchObject({ status: 400, error: 'invalid_request' });
  const form = await rest(t, 'POST', '/security/oauth/token', {
    headers: { authorization: basic(account.id, account.secret), 'content-type': 'application/x-www-form-urlencoded' },
    rawBody: 'grant_type=client_credentials&audience=https%3A%2F%2Fapi.talend.io',
  });
  expect(form.status).toBe(200);
  expect(decodePart(form.body.access_token.split('.')[1]).aud).toBe('https://api.talend.io');
  // Without an audience, the one Talend documents.
  const noAudience = await exchange(t, account.id, account.secret, { grant_type: 'client_credentials' });
  expect(decodePart(noAudience.body.access_token.split('.')[1]).aud).toBe('https://api.talend.io');
});

test('the token carries the permissions the account had when it was issued', async () => {
  const created = expectOk(await createServiceAccountGql(t, 'changing', ['TMC_USER_MANAGEMENT'])).createServiceAccount;
  const id = created.serviceAccount.id;
  const before = (await exchange(t, id, created.secret)).body.access_token;
  const put = await rest(t, 'PUT', `/account/service-accounts/${id}`, { token: OPERATOR_TOKEN, body: { permissions: ['TMC_ENGINE_USE'] } });
  expect(put.status).toBe(200);
  const after = (await exchange(t, id, created.secret)).body.access_token;
  expect(expectOk(await viewer(before)).viewer.permissions).toEqual(['TMC_USER_MANAGEMENT']);
  expect(expectOk(await viewer(after)).viewer.permissions).toEqual(['TMC_ENGINE_USE']);
  expect((await rest(t, 'GET', '/account/users', { token: before })).status).toBe(200);
  expect((await rest(t, 'GET', '/account/users', { token: after })).status).toBe(403);
});

test('revokeToken ends one exchanged token; deleting the account ends them all', async () => {
  const created = expectOk(await createServiceAccountGql(t, 'revocable', ['TMC_ENGINE_USE'])).createServiceAccount;
  const id = created.serviceAccount.id;
  const first = (await exchange(t, id, created.secret)).body.access_token;
  const second = (await exchange(t, id, created.secret)).body.access_token;
  const tokens = expectOk(await graphql(t.url, 'query($id: ID!) { serviceAccount(id: $id) { accessTokens(status: ACTIVE) { id kind expiresAt createdAt } } }', { id }, OPERATOR_TOKEN)).serviceAccount.accessTokens;
  expect(tokens).toHaveLength(2);
  // JWT times are whole seconds: the token expires 1800 s after its issue second.
  expect(Date.parse(tokens[0].expiresAt)).toBe(Math.floor(Date.parse(tokens[0].createdAt) / 1000) * 1000 + 1800 * 1000);
  // The account may revoke its own token.
  const revoked = expectOk(await graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { accessToken { status } } }', { id: tokens[0].id }, first));
  expect(revoked.revokeToken.accessToken.status).toBe('REVOKED');
  expect(codes(await viewer(first))).toEqual(['UNAUTHENTICATED']);
  expect(expectOk(await viewer(second)).viewer.name).toBe('revocable');
  // A user manager may not revoke a service account's token; a service-account manager may delete the account.
  const userAdmin = await userWithToken(t, 'useradmin@example.com', ['TMC_USER_MANAGEMENT']);
  expect(codes(await graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: tokens[1].id }, userAdmin.token))).toEqual(['FORBIDDEN']);
  expect((await rest(t, 'DELETE', `/account/service-accounts/${id}`, { token: OPERATOR_TOKEN })).status).toBe(204);
  expect(codes(await viewer(second))).toEqual(['UNAUTHENTICATED']);
});

describe('RFC 7662 introspection and RFC 7009 revocation at /security/oauth', () => {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const post = (path: string, authorization: string, fields: Record<string, string>) =>
    rest(t, 'POST', path, { headers: { authorization }, rawBody: form(fields), contentType: 'application/x-www-form-urlencoded' });

  test("an account introspects and revokes its own token; another's is inactive to it and is not revoked", async () => {
    const mine = expectOk(await createServiceAccountGql(t, 'introspecting', ['TMC_ENGINE_USE'])).createServiceAccount;
    const other = expectOk(await createServiceAccountGql(t, 'bystander', ['TMC_ENGINE_USE'])).createServiceAccount;
    const auth = basic(mine.serviceAccount.clientId, mine.secret);
    const token = (await exchange(t, mine.serviceAccount.clientId, mine.secret)).body.access_token;
    const theirs = (await exchange(t, other.serviceAccount.clientId, other.secret)).body.access_token;
    expect((await post('/security/oauth/introspect', auth, { token })).body).toMatchObject({ active: true, sub: mine.serviceAccount.id, iss: `${t.url}/security/oauth` });
    expect((await post('/security/oauth/revoke', auth, { token: theirs })).status).toBe(200);
    expect((await post('/security/oauth/introspect', basic(other.serviceAccount.clientId, other.secret), { token: theirs })).body.active).toBe(true);
    expect((await post('/security/oauth/revoke', auth, { token })).status).toBe(200);
    expect((await post('/security/oauth/introspect', auth, { token })).body).toEqual({ active: false });
    expect((await rest(t, 'GET', '/account/service-accounts/permissions', { token })).status).toBe(401);
  });

  test('a wrong secret is 401 invalid_client; a missing token parameter is 400; both change nothing', async () => {
    const mine = expectOk(await createServiceAccountGql(t, 'careless', ['TMC_ENGINE_USE'])).createServiceAccount;
    const token = (await exchange(t, mine.serviceAccount.clientId, mine.secret)).body.access_token;
    const wrong = await post('/security/oauth/revoke', basic(mine.serviceAccount.clientId, 'not-the-secret'), { token });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    expect((await post('/security/oauth/introspect', basic(mine.serviceAccount.clientId, mine.secret), {})).status).toBe(400);
    expect((await post('/security/oauth/introspect', basic(mine.serviceAccount.clientId, mine.secret), { token })).body.active).toBe(true);
  });

  test('the token endpoint takes a form with client_secret_post, as OAuth libraries send it', async () => {
    const mine = expectOk(await createServiceAccountGql(t, 'form-poster', ['TMC_ENGINE_USE'])).createServiceAccount;
    const response = await rest(t, 'POST', '/security/oauth/token', {
      rawBody: form({ grant_type: 'client_credentials', client_id: mine.serviceAccount.clientId, client_secret: mine.secret }),
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(200);
    expect(response.body.token_type).toBe('Bearer');
  });
});
