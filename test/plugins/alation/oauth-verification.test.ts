import { startTestGateway, OPERATOR_TOKEN, type TestGateway } from '../../support/gateway';
import { codes, expectOk, graphql } from '../../support/graphql';
import { subscribe } from '../../support/ws';
import { basic, clientToken, createOAuthClient, createUser, form, jose, jwtFrom, jwtParts, rest, signedInUser, type OAuthClient } from './alation-support';

/** Online verification (RFC 7662), revocation (RFC 7009), and tokens that must not pass. */
let t: TestGateway;
let client: OAuthClient;
let resourceServer: OAuthClient;
const ISSUER = 'urn:keygate:alation';
const AUDIENCE = 'urn:keygate:alation:api';

beforeAll(async () => {
  t = await startTestGateway();
  client = await createOAuthClient(t.url, 'COMPOSER', { lifetime: 600 });
  resourceServer = await createOAuthClient(t.url, 'VIEWER');
});
afterAll(() => t.close());

const auth = (c: OAuthClient) => ({ authorization: basic(c.clientId, c.clientSecret) });
const introspect = (token: string, headers: Record<string, string> = auth(resourceServer), extra: Record<string, string> = {}) =>
  form(t.url, '/oauth/v2/introspect/', { token, ...extra }, headers);
const revoke = (token: string, headers: Record<string, string> = auth(client), path = '/oauth/v2/revoke/') => form(t.url, path, { token }, headers);
const viewer = (token: string) => graphql(t.url, '{ viewer { name role } }', {}, token);

/** Refused everywhere: GraphQL, REST, introspection (exactly `{"active": false}`). */
async function expectRefused(token: string) {
  expect(codes(await viewer(token))).toEqual(['UNAUTHENTICATED']);
  expect((await rest(t.url, '/keygate/alation/listRefreshTokens/', {}, { TOKEN: token })).status).toBe(401);
  const response = await introspect(token);
  expect(response.status).toBe(200);
  expect(response.raw).toBe('{"active":false}');
}

describe('introspection', () => {
  test('an active token: active, client_id, sub, exp, iat, iss, aud, jti, token_type; any client may ask (a resource server)', async () => {
    const jwt = await clientToken(t.url, client);
    const { claims } = jwtParts(jwt);
    for (const [path, headers] of [
      ['/oauth/v2/introspect/', auth(resourceServer)],
      ['/oauth/v2/introspect', auth(client)],
    ] as const) {
      const response = await form(t.url, path, { token: jwt, token_type_hint: 'access_token' }, headers);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body).toEqual({
        active: true,
        client_id: client.clientId,
        sub: client.id,
        exp: claims.iat + 600,
        iat: claims.iat,
        iss: ISSUER,
        aud: AUDIENCE,
        jti: claims.jti,
        token_type: 'Bearer',
      });
    }
    // Client authentication by form fields works too.
    const byForm = await introspect(jwt, {}, { client_id: resourceServer.clientId, client_secret: resourceServer.clientSecret });
    expect(byForm.body.active).toBe(true);
  });

  test('client authentication is required: 401 invalid_client with WWW-Authenticate; a bearer token is not client authentication', async () => {
    const jwt = await clientToken(t.url, client);
    for (const headers of [{}, { authorization: basic(resourceServer.clientId, client.clientSecret) }, { authorization: `Bearer ${jwt}` }] as Record<string, string>[]) {
      const response = await introspect(jwt, headers);
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_client');
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(response.raw).not.toContain('active');
    }
    const both = await introspect(jwt, auth(resourceServer), { client_secret: resourceServer.clientSecret });
    expect([both.status, both.body.error]).toEqual([400, 'invalid_request']);
    const missing = await form(t.url, '/oauth/v2/introspect/', {}, auth(resourceServer));
    expect([missing.status, missing.body.error]).toEqual([400, 'invalid_request']);
  });

  test('unknown and malformed tokens are inactive, and nothing else', async () => {
    const alationAccessToken = (await signedInUser(t.url, 'plain-user@example.com', 'VIEWER')).token;
    for (const token of ['nonsense', 'a.b.c', 'eyJhbGciOiJFUzI1NiJ9.e30.', alationAccessToken, 'x'.repeat(9000)]) {
      const response = await introspect(token);
      expect([response.status, response.raw]).toEqual([200, '{"active":false}']);
    }
    // Signed by keygate, but its row is gone: the jti lookup decides, not the signature alone.
    // (Rows change through acts, whose events evict cached lookups; this removal bypasses them, so
    // it comes before the token is first looked up.)
    expect((await introspect(await clientToken(t.url, client))).body.active).toBe(true);
    const jwt = await clientToken(t.url, client);
    await t.gateway.db.dataSource.query('DELETE FROM access_token WHERE jti = $1', [jwtParts(jwt).claims.jti]);
    await expectRefused(jwt);
  });
});

describe('tokens that must not pass', () => {
  let jwt: string;
  let header: any;
  let claims: any;
  let signature: string;
  beforeAll(async () => {
    jwt = await clientToken(t.url, client);
    ({ header, claims, signature } = jwtParts(jwt));
    // The genuine token works, so each refusal below is about its change.
    expect(expectOk(await viewer(jwt)).viewer.role).toBe('COMPOSER');
  });

  test('tampered header (typ, kid, alg), payload (sub, exp, aud) or signature', async () => {
    const admin = await createOAuthClient(t.url, 'SERVER_ADMIN');
    const tampered = [
      jwtFrom({ ...header, typ: 'JWT' }, claims, signature),
      jwtFrom({ ...header, kid: '00000000-0000-4000-8000-000000000000' }, claims, signature),
      jwtFrom({ ...header, alg: 'ES384' }, claims, signature),
      jwtFrom(header, { ...claims, sub: admin.id, client_id: admin.clientId }, signature),
      jwtFrom(header, { ...claims, exp: claims.exp + 86400 }, signature),
      jwtFrom(header, { ...claims, aud: 'urn:elsewhere' }, signature),
      `${jwt.split('.').slice(0, 2).join('.')}.${signature.slice(0, -4)}${signature.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`,
      `${jwt.split('.').slice(0, 2).join('.')}.`,
      `${jwt}.extra`,
    ];
    for (const token of tampered) await expectRefused(token);
  });

  test('alg none, and HS256 keyed with the published public key (algorithm confusion)', async () => {
    await expectRefused(jwtFrom({ alg: 'none', typ: 'at+jwt', kid: header.kid }, claims, ''));
    await expectRefused(jwtFrom({ alg: 'none', typ: 'at+jwt' }, claims, ''));
    const { SignJWT } = jose();
    const { keys } = (await form(t.url, '/oauth/v2/.well-known/jwks.json', '', {}, 'GET')).body;
    const published = keys.find((k: { kid: string }) => k.kid === header.kid);
    const hmac = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: header.kid }).sign(Buffer.from(JSON.stringify(published)));
    await expectRefused(hmac);
  });

  test('a token signed with another key, even with our issuer, audience and kid (and with an embedded jwk)', async () => {
    const { SignJWT, generateKeyPair, exportJWK } = jose();
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: header.kid }).sign(privateKey);
    await expectRefused(forged);
    const embedded = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', jwk: await exportJWK(publicKey) }).sign(privateKey);
    await expectRefused(embedded);
  });

  test('a token from another issuer: a Talend service-account JWT signed by this very gateway', async () => {
    const talend = expectOk(
      await graphql(t.url, 'mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { serviceAccount { clientId } secret } }', { input: { provider: 'TALEND', name: 'talend-sa', permissions: [] } }, OPERATOR_TOKEN),
    ).createServiceAccount;
    const exchanged = await form(t.url, '/security/oauth/token', { grant_type: 'client_credentials' }, {
      authorization: `Basic ${Buffer.from(`${talend.serviceAccount.clientId}:${talend.secret}`).toString('base64')}`,
    });
    const talendJwt = exchanged.body.access_token as string;
    expect(jwtParts(talendJwt).claims.iss).toBe('urn:keygate:talend');
    expect(jwtParts(talendJwt).header.kid).toBe(header.kid);
    // Same key, same typ: only the issuer tells them apart. It is no Alation credential.
    expect((await introspect(talendJwt)).raw).toBe('{"active":false}');
    // As a bearer it is what it is, a Talend principal, with no say over Alation.
    expect(codes(await graphql(t.url, '{ serviceAccounts(provider: ALATION) { totalCount } }', {}, talendJwt))).toEqual(['FORBIDDEN']);
    const asAlation = await rest(t.url, '/keygate/alation/listRefreshTokens/', { user_id: (await createUser(t.url, 'someone@example.com', 'VIEWER')).userId }, { TOKEN: talendJwt });
    expect(asAlation.status).toBe(403);
    // jose, told whom to trust, refuses it too.
    const { createRemoteJWKSet, jwtVerify } = jose();
    await expect(
      jwtVerify(talendJwt, createRemoteJWKSet(new URL(t.url + '/oauth/v2/.well-known/jwks.json')), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], currentDate: t.clock.now() }),
    ).rejects.toThrow();
  });
});

describe('revocation', () => {
  const position = async (): Promise<string> => (await t.gateway.db.dataSource.query('SELECT coalesce(max(cursor), 0)::text AS c FROM token_event'))[0].c;

  test('a client revokes its own token: 200, refused at once (even when cached), inactive, and an event on the stream', async () => {
    const jwt = await clientToken(t.url, client);
    const { claims } = jwtParts(jwt);
    // Used twice first, so the gateway has it in its credential cache.
    expectOk(await viewer(jwt));
    expectOk(await viewer(jwt));
    const [row] = await t.gateway.db.dataSource.query('SELECT id FROM access_token WHERE jti = $1', [claims.jti]);
    const after = await position();
    const response = await revoke(jwt);
    expect([response.status, response.raw]).toEqual([200, '{}']);
    expect(response.headers.get('cache-control')).toBe('no-store');
    await expectRefused(jwt);
    const events = await subscribe(t.url, OPERATOR_TOKEN, 'subscription($after: String) { tokenEvents(after: $after, provider: ALATION, kinds: [REVOKED]) { kind subjectType subjectId serviceAccountId } }', { after });
    try {
      const [event] = await events.next(1);
      expect(event.tokenEvents).toEqual({ kind: 'REVOKED', subjectType: 'ACCESS_TOKEN', subjectId: row.id, serviceAccountId: client.id });
    } finally {
      events.dispose();
    }
    // Revoking again, or without the trailing slash, is still 200.
    expect((await revoke(jwt, auth(client), '/oauth/v2/revoke')).status).toBe(200);
  });

  test('200 for unknown or invalid tokens; another client cannot revoke a token that is not its own', async () => {
    for (const token of ['nonsense', 'a.b.c', jwtFrom({ alg: 'none' }, {}, '')]) expect((await revoke(token)).status).toBe(200);
    const jwt = await clientToken(t.url, client);
    const byOther = await revoke(jwt, auth(resourceServer));
    expect(byOther.status).toBe(200);
    expect((await introspect(jwt)).body.active).toBe(true);
    expect(expectOk(await viewer(jwt)).viewer.role).toBe('COMPOSER');
  });

  test('client authentication is required; token is required', async () => {
    const jwt = await clientToken(t.url, client);
    for (const headers of [{}, { authorization: basic(client.clientId, resourceServer.clientSecret) }, { authorization: `Bearer ${jwt}` }] as Record<string, string>[]) {
      const response = await revoke(jwt, headers);
      expect([response.status, response.body.error]).toEqual([401, 'invalid_client']);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
    }
    const missing = await form(t.url, '/oauth/v2/revoke/', {}, auth(client));
    expect([missing.status, missing.body.error]).toEqual([400, 'invalid_request']);
    // None of these revoked anything.
    expect((await introspect(jwt)).body.active).toBe(true);
  });

  test("a deleted client's tokens are refused and inactive at once", async () => {
    const doomed = await createOAuthClient(t.url, 'STEWARD');
    const jwt = await clientToken(t.url, doomed);
    expectOk(await viewer(jwt));
    expectOk(await graphql(t.url, 'mutation($id: ID!) { deleteServiceAccount(id: $id) { revokedTokenCount } }', { id: doomed.id }, OPERATOR_TOKEN));
    await expectRefused(jwt);
    const again = await form(t.url, '/oauth/v2/token/', { grant_type: 'client_credentials' }, auth(doomed));
    expect([again.status, again.body.error]).toEqual([401, 'invalid_client']);
  });
});

test('an expired token is inactive and refused (runs last: it moves the clock)', async () => {
  const jwt = await clientToken(t.url, client);
  expect((await introspect(jwt)).body.active).toBe(true);
  t.clock.advance(600 * 1000);
  await expectRefused(jwt);
  // Revoking an expired token is fine and changes nothing.
  expect((await revoke(jwt)).status).toBe(200);
});
