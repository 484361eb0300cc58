import { startTestGateway, OPERATOR_TOKEN, type TestGateway } from '../../support/gateway';
import { codes, expectOk, graphql } from '../../support/graphql';
import { basic, clientToken, createOAuthClient, form, jose, jwtParts, rest, type OAuthClient } from './alation-support';

/** The token endpoint (RFC 6749 client credentials), the JWT it issues, and that JWT at work. */
let t: TestGateway;
let client: OAuthClient;
const ISSUER = 'urn:keygate:alation';
const AUDIENCE = 'urn:keygate:alation:api';

beforeAll(async () => {
  t = await startTestGateway();
  client = await createOAuthClient(t.url, 'STEWARD', { name: 'etl-pipeline', lifetime: 900 });
});
afterAll(() => t.close());

const token = (params: Record<string, string> | string, headers: Record<string, string> = {}, path = '/oauth/v2/token/') => form(t.url, path, params, headers);
const GRANT = { grant_type: 'client_credentials' };

describe('a token for client credentials', () => {
  test.each([
    ['HTTP Basic, with the trailing slash', '/oauth/v2/token/', 'basic'],
    ['HTTP Basic, without the trailing slash', '/oauth/v2/token', 'basic'],
    ['form fields', '/oauth/v2/token/', 'post'],
  ])('%s', async (_name, path, method) => {
    const response =
      method === 'basic'
        ? await token(GRANT, { authorization: basic(client.clientId, client.clientSecret) }, path)
        : await token({ ...GRANT, client_id: client.clientId, client_secret: client.clientSecret }, {}, path);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(response.body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(response.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(response.body.access_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  test('the JWT: ES256 with a kid and typ at+jwt; iss, sub, aud, iat, exp, jti, client_id', async () => {
    const before = Math.floor(t.clock.now().getTime() / 1000);
    const jwt = await clientToken(t.url, client);
    const { header, claims } = jwtParts(jwt);
    expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(claims).toMatchObject({ iss: ISSUER, aud: AUDIENCE, sub: client.id, client_id: client.clientId, jti: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(claims.iat).toBe(before);
    expect(claims.exp).toBe(claims.iat + 900);
    // Two tokens are two tokens.
    expect(jwtParts(await clientToken(t.url, client)).claims.jti).not.toBe(claims.jti);
  });

  test('jose verifies it offline against the published key set, allowing ES256 only', async () => {
    const { createRemoteJWKSet, jwtVerify } = jose();
    const jwt = await clientToken(t.url, client);
    for (const path of ['/oauth/v2/.well-known/jwks.json/', '/oauth/v2/.well-known/jwks.json', '/.well-known/jwks.json']) {
      const keys = createRemoteJWKSet(new URL(t.url + path));
      const { payload, protectedHeader } = await jwtVerify(jwt, keys, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], typ: 'at+jwt', currentDate: t.clock.now() });
      expect(payload.sub).toBe(client.id);
      expect(protectedHeader.kid).toBe(jwtParts(jwt).header.kid);
    }
    const keys = createRemoteJWKSet(new URL(t.url + '/oauth/v2/.well-known/jwks.json/'));
    // The wrong audience, issuer or algorithm list makes jose refuse: these checks are live.
    await expect(jwtVerify(jwt, keys, { issuer: ISSUER, audience: 'urn:other', algorithms: ['ES256'], currentDate: t.clock.now() })).rejects.toThrow();
    await expect(jwtVerify(jwt, keys, { issuer: 'urn:keygate:talend', audience: AUDIENCE, algorithms: ['ES256'], currentDate: t.clock.now() })).rejects.toThrow();
    await expect(jwtVerify(jwt, keys, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'], currentDate: t.clock.now() })).rejects.toThrow();
  });

  test('the key set: cacheable, public keys only, holding the kid the token names', async () => {
    const jwt = await clientToken(t.url, client);
    for (const path of ['/oauth/v2/.well-known/jwks.json/', '/oauth/v2/.well-known/jwks.json']) {
      const response = await form(t.url, path, '', {}, 'GET');
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
      expect(response.body.keys.length).toBeGreaterThan(0);
      for (const key of response.body.keys) {
        expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
        expect(key).not.toHaveProperty('d');
        expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      }
      expect(response.body.keys.map((k: { kid: string }) => k.kid)).toContain(jwtParts(jwt).header.kid);
    }
  });

  test("the JWT authenticates GraphQL and REST calls with the client's role", async () => {
    const jwt = await clientToken(t.url, client);
    const viewer = expectOk(await graphql(t.url, '{ viewer { name kind role serviceAccount { id kind role } } }', {}, jwt)).viewer;
    expect(viewer).toMatchObject({ name: 'etl-pipeline', role: 'STEWARD', serviceAccount: { id: client.id, kind: 'oauth_client', role: 'STEWARD' } });
    // REST, with Authorization: Bearer and with Alation's TOKEN header.
    for (const headers of [{ authorization: `Bearer ${jwt}` }, { TOKEN: jwt }] as Record<string, string>[]) {
      const listed = await rest(t.url, '/keygate/alation/listRefreshTokens/', {}, headers);
      expect(listed.status).toBe(200);
      expect(listed.body.refresh_tokens).toEqual([]);
    }
    // A STEWARD may not do what only a Server Admin may.
    const denied = await graphql(t.url, '{ serviceAccounts(provider: ALATION) { totalCount } }', {}, jwt);
    expect(codes(denied)).toEqual(['FORBIDDEN']);
  });

  test('the token row is stored by jti with the kid, and no secret', async () => {
    const jwt = await clientToken(t.url, client);
    const { header, claims } = jwtParts(jwt);
    const [row] = await t.gateway.db.dataSource.query('SELECT provider, kind, owner_id, kid, secret_hash, expires_at, created_at FROM access_token WHERE jti = $1', [claims.jti]);
    expect(row).toMatchObject({ provider: 'alation', kind: 'oauth', owner_id: client.id, kid: header.kid, secret_hash: null });
    expect(new Date(row.expires_at).getTime() - new Date(row.created_at).getTime()).toBe(900 * 1000);
  });
});

describe('errors per RFC 6749 §5.2', () => {
  const expectError = (response: Awaited<ReturnType<typeof token>>, status: number, error: string) => {
    expect({ status: response.status, error: response.body?.error }).toEqual({ status, error });
    expect(Object.keys(response.body).sort()).toEqual(['error', 'error_description']);
    expect(typeof response.body.error_description).toBe('string');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.raw).not.toContain(client.clientSecret);
    if (status === 401) expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="keygate"/);
    else expect(response.headers.get('www-authenticate')).toBeNull();
  };

  test('invalid_client (401, WWW-Authenticate: Basic): wrong secret, unknown id, nothing, another scheme, a malformed header', async () => {
    const other = await createOAuthClient(t.url, 'VIEWER');
    const wrongSecret = await token(GRANT, { authorization: basic(client.clientId, other.clientSecret) });
    const unknownId = await token(GRANT, { authorization: basic('00000000-0000-4000-8000-000000000000', client.clientSecret) });
    expectError(wrongSecret, 401, 'invalid_client');
    expectError(unknownId, 401, 'invalid_client');
    // Unknown client and wrong secret read the same: nothing tells a prober which ids exist.
    expect(unknownId.raw).toBe(wrongSecret.raw);
    expectError(await token({ ...GRANT, client_id: client.clientId, client_secret: other.clientSecret }), 401, 'invalid_client');
    expectError(await token({ ...GRANT, client_id: client.clientId }), 401, 'invalid_client');
    expectError(await token(GRANT), 401, 'invalid_client');
    expectError(await token(GRANT, { authorization: `Bearer ${await clientToken(t.url, client)}` }), 401, 'invalid_client');
    expectError(await token(GRANT, { authorization: 'Basic !!not-base64!!' }), 401, 'invalid_client');
    expectError(await token(GRANT, { authorization: `Basic ${Buffer.from(client.clientId).toString('base64')}` }), 401, 'invalid_client');
    // The secret alone, or the client id as the secret, do not authenticate either.
    expectError(await token(GRANT, { authorization: basic(client.clientId, '') }), 401, 'invalid_client');
    expectError(await token(GRANT, { authorization: basic(client.clientId, client.clientId) }), 401, 'invalid_client');
  });

  test("another provider's id:secret (a Talend service account) is not an Alation OAuth client", async () => {
    const talend = expectOk(
      await graphql(t.url, 'mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { serviceAccount { id clientId } secret } }', { input: { provider: 'TALEND', name: 'talend-sa', permissions: [] } }, OPERATOR_TOKEN),
    ).createServiceAccount;
    expect(talend.secret).toBeTruthy();
    expectError(await token(GRANT, { authorization: basic(talend.serviceAccount.clientId, talend.secret) }), 401, 'invalid_client');
    // …while Talend's own endpoint takes it: the pair is good, just not here.
    const own = await form(t.url, '/security/oauth/token', GRANT, { authorization: `Basic ${Buffer.from(`${talend.serviceAccount.clientId}:${talend.secret}`).toString('base64')}` });
    expect(own.status).toBe(200);
  });

  test('invalid_request (400): both authentication methods, a mismatching client_id, no grant_type, a repeated parameter, not a form', async () => {
    const auth = { authorization: basic(client.clientId, client.clientSecret) };
    expectError(await token({ ...GRANT, client_secret: client.clientSecret }, auth), 400, 'invalid_request');
    expectError(await token({ ...GRANT, client_id: client.clientId, client_secret: client.clientSecret }, auth), 400, 'invalid_request');
    expectError(await token({ ...GRANT, client_id: '00000000-0000-4000-8000-000000000000' }, auth), 400, 'invalid_request');
    expectError(await token({}, auth), 400, 'invalid_request');
    expectError(await token('grant_type=client_credentials&grant_type=client_credentials', auth), 400, 'invalid_request');
    expectError(await token(JSON.stringify(GRANT), { ...auth, 'content-type': 'application/json' }), 400, 'invalid_request');
    expectError(await token('{"grant_type": ', { ...auth, 'content-type': 'application/json' }), 400, 'invalid_request');
    // A client_id in the body that names the Basic client is allowed (RFC 6749 §3.2.1).
    expect((await token({ ...GRANT, client_id: client.clientId }, auth)).status).toBe(200);
  });

  test('unsupported_grant_type (400), invalid_scope (400), and GET is 405', async () => {
    const auth = { authorization: basic(client.clientId, client.clientSecret) };
    for (const grant of ['password', 'authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'CLIENT_CREDENTIALS'])
      expectError(await token({ grant_type: grant }, auth), 400, 'unsupported_grant_type');
    expectError(await token({ ...GRANT, scope: 'admin' }, auth), 400, 'invalid_scope');
    const get = await form(t.url, '/oauth/v2/token/', '', auth, 'GET');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  test('failures are audited without the secret, and no secret or token reaches the logs', async () => {
    await token(GRANT, { authorization: basic(client.clientId, 'kgcs_wrong') });
    const [row] = await t.gateway.db.dataSource.query(
      "SELECT outcome, target FROM audit_event WHERE action = 'alation.oauth.clientAuthentication' AND target = $1 ORDER BY id DESC LIMIT 1",
      [client.id],
    );
    expect(row).toEqual({ outcome: 'failed', target: client.id });
    const jwt = await clientToken(t.url, client);
    await graphql(t.url, '{ viewer { name } }', {}, jwt);
    const logs = t.logs.join('\n');
    expect(logs).not.toContain(client.clientSecret);
    expect(logs).not.toContain(jwt);
    expect(logs).not.toContain(jwt.split('.')[2]);
  });
});

test('guessing client secrets from one address is limited, like bearer failures (429, Retry-After); the right secret still works', async () => {
  const limited = await startTestGateway({ config: { authFailuresPerMinute: 3 } });
  try {
    const target = await createOAuthClient(limited.url, 'VIEWER');
    const attempt = (secret: string) => form(limited.url, '/oauth/v2/token/', GRANT, { authorization: basic(target.clientId, secret) });
    for (let i = 0; i < 3; i++) expect((await attempt(`kgcs_guess${i}`)).status).toBe(401);
    const refused = await attempt('kgcs_guess3');
    expect([refused.status, refused.body.error]).toEqual([429, 'temporarily_unavailable']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.raw).not.toContain('access_token');
    // A client secret cannot be guessed: its owner is never locked out by others' failures.
    expect((await attempt(target.clientSecret)).status).toBe(200);
  } finally {
    await limited.close();
  }
});

test('an expired token authenticates nothing; a new one does (runs last: it moves the clock)', async () => {
  const jwt = await clientToken(t.url, client);
  expect(expectOk(await graphql(t.url, '{ viewer { name } }', {}, jwt)).viewer.name).toBe('etl-pipeline');
  t.clock.advance(900 * 1000);
  const expired = await graphql(t.url, '{ viewer { name } }', {}, jwt);
  expect(codes(expired)).toEqual(['UNAUTHENTICATED']);
  expect((await rest(t.url, '/keygate/alation/listRefreshTokens/', {}, { TOKEN: jwt })).status).toBe(401);
  const { createRemoteJWKSet, jwtVerify } = jose();
  await expect(
    jwtVerify(jwt, createRemoteJWKSet(new URL(t.url + '/oauth/v2/.well-known/jwks.json')), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], currentDate: t.clock.now() }),
  ).rejects.toThrow(/exp/);
  expect(expectOk(await graphql(t.url, '{ viewer { name } }', {}, await clientToken(t.url, client))).viewer.name).toBe('etl-pipeline');
});
