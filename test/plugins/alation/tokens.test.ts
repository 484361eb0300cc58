import { createHash } from 'node:crypto';
import { startTestGateway, type TestGateway, OPERATOR_TOKEN } from '../../support/gateway';
import { codes, expectOk, graphql } from '../../support/graphql';
import { CREATE_ACCESS, CREATE_REFRESH, createUser, DAY, rest, REVOKE, signedInUser, VENDOR_TIME, type AlationUser } from './alation-support';

let t: TestGateway;
let user: AlationUser;
const PASSWORD = 'Tok3ns-Are-Fun!';

beforeAll(async () => {
  t = await startTestGateway();
  user = await createUser(t.url, 'tokens@example.com', 'STEWARD', PASSWORD);
});
afterAll(() => t.close());

const createRefresh = (name: string, password = PASSWORD, username = 'tokens@example.com') =>
  rest(t.url, '/integration/v1/createRefreshToken/', { username, password, name });
const createAccess = (refresh_token: string, user_id: unknown = user.userId) => rest(t.url, '/integration/v1/createAPIAccessToken/', { refresh_token, user_id });
const validateRefresh = (refresh_token: string, user_id: unknown = user.userId) => rest(t.url, '/integration/v1/validateRefreshToken/', { refresh_token, user_id });
const validateAccess = (api_access_token: string, user_id: unknown = user.userId) => rest(t.url, '/integration/v1/validateAPIAccessToken/', { api_access_token, user_id });

describe('refresh tokens', () => {
  test('any name, several per user; validate returns the status and no secret', async () => {
    const a = await createRefresh('integration A');
    const b = await createRefresh('integration A');
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.refresh_token).not.toBe(b.body.refresh_token);
    const valid = await validateRefresh(a.body.refresh_token);
    expect(valid.status).toBe(200);
    expect(valid.body).toEqual({
      user_id: user.userId,
      created_at: a.body.created_at,
      name: 'integration A',
      token_expires_at: a.body.token_expires_at,
      token_status: 'ACTIVE',
      last_used_at: null,
    });
    expect(valid.raw).not.toContain(a.body.refresh_token);
  });

  test('wrong password, unknown user and missing fields', async () => {
    const wrong = await createRefresh('x', 'Not-The-Passw0rd');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ detail: 'Invalid username or password.', code: '401000' });
    const unknown = await createRefresh('x', PASSWORD, 'nobody@example.com');
    expect(unknown.body).toEqual(wrong.body);
    const missing = await rest(t.url, '/integration/v1/createRefreshToken/', { username: 'tokens@example.com', password: PASSWORD });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ title: 'Invalid Payload', detail: 'name: This field is required.', errors: [{ field: 'name', message: 'This field is required.' }], code: '400000' });
  });

  test('SSO users cannot use a password; they create refresh tokens while signed in', async () => {
    const sso = await signedInUser(t.url, 'sso@example.com', 'VIEWER');
    const viaApi = await rest(t.url, '/integration/v1/createRefreshToken/', { username: 'sso@example.com', password: 'Whatever-1234', name: 'x' });
    expect(viaApi.status).toBe(403);
    expect(viaApi.body.code).toBe('403000');
    expect(viaApi.body.detail).toMatch(/SSO and has no password/);
    const viaGraphql = await graphql(t.url, CREATE_REFRESH, { input: { provider: 'ALATION', username: 'sso@example.com', password: 'Whatever-1234', name: 'x' } }, OPERATOR_TOKEN);
    expect(codes(viaGraphql)).toEqual(['FORBIDDEN']);
    expect(viaGraphql.errors![0].message).toMatch(/signs in with SSO/);
    // Signed in (the UI path): the user creates one for itself.
    const own = expectOk(await graphql(t.url, CREATE_REFRESH, { input: { name: 'from the UI' } }, sso.token)).createRefreshToken;
    expect(own.refreshToken).toMatchObject({ name: 'from the UI', status: 'ACTIVE' });
    expect(Date.parse(own.refreshToken.expiresAt) - Date.parse(own.refreshToken.createdAt)).toBe(60 * DAY);
    expect((await validateRefresh(own.secret, sso.userId)).body.token_status).toBe('ACTIVE');
  });

  test('GraphQL createRefreshToken with username and password issues to that user', async () => {
    const issued = expectOk(await graphql(t.url, `mutation($input: CreateRefreshTokenInput!) { createRefreshToken(input: $input) { refreshToken { name owner { name userId } } secret } }`, { input: { provider: 'ALATION', username: 'tokens@example.com', password: PASSWORD, name: 'gql' } }, OPERATOR_TOKEN)).createRefreshToken;
    expect(issued.refreshToken).toEqual({ name: 'gql', owner: { name: 'tokens@example.com', userId: String(user.userId) } });
    const bad = await graphql(t.url, CREATE_REFRESH, { input: { provider: 'ALATION', username: 'tokens@example.com', password: 'Wrong-passw0rd', name: 'gql' } }, OPERATOR_TOKEN);
    expect(codes(bad)).toEqual(['UNAUTHENTICATED']);
  });

  test('regenRefreshToken replaces the refresh token: same name, new secret, the old one and its access tokens revoked', async () => {
    const old = await createRefresh('rotating');
    const access = await createAccess(old.body.refresh_token);
    const regen = await rest(t.url, '/integration/v1/regenRefreshToken/', { refresh_token: old.body.refresh_token, user_id: user.userId });
    expect(regen.status).toBe(201);
    expect(regen.body).toMatchObject({ refresh_token: expect.stringMatching(/^kgrt_/), user_id: user.userId, name: 'rotating', token_status: 'ACTIVE', created_at: expect.stringMatching(VENDOR_TIME) });
    expect(regen.body.refresh_token).not.toBe(old.body.refresh_token);
    expect((await validateRefresh(old.body.refresh_token)).body.token_status).toBe('REVOKED');
    expect((await validateAccess(access.body.api_access_token)).body.token_status).toBe('REVOKED');
    const again = await rest(t.url, '/integration/v1/regenRefreshToken/', { refresh_token: old.body.refresh_token, user_id: user.userId });
    expect(again.status).toBe(401);
    expect(again.body).toEqual({ detail: 'Refresh token provided is expired or revoked.', code: '401000' });
    expect((await createAccess(regen.body.refresh_token)).status).toBe(201);
  });
});

describe('API access tokens', () => {
  test('several active per refresh token; revokeAPIAccessTokens revokes them all', async () => {
    const refresh = await createRefresh('plural');
    const first = await createAccess(refresh.body.refresh_token);
    const second = await createAccess(refresh.body.refresh_token);
    expect((await validateAccess(first.body.api_access_token)).body.token_status).toBe('ACTIVE');
    expect((await validateAccess(second.body.api_access_token)).body.token_status).toBe('ACTIVE');
    const revoked = await rest(t.url, '/integration/v1/revokeAPIAccessTokens/', { refresh_token: refresh.body.refresh_token, user_id: user.userId });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ detail: 'Revoked active access tokens for refresh token "plural".' });
    for (const a of [first, second]) expect((await validateAccess(a.body.api_access_token)).body.token_status).toBe('REVOKED');
    // The refresh token itself lives on and mints again.
    expect((await validateRefresh(refresh.body.refresh_token)).body.token_status).toBe('ACTIVE');
    expect((await createAccess(refresh.body.refresh_token)).status).toBe(201);
  });

  test('validate: status only, and 401 for an unknown token or the wrong user_id', async () => {
    const refresh = await createRefresh('validate');
    const access = await createAccess(refresh.body.refresh_token);
    const valid = await validateAccess(access.body.api_access_token);
    expect(valid.status).toBe(200);
    expect(Object.keys(valid.body).sort()).toEqual(['created_at', 'last_used_at', 'token_expires_at', 'token_status', 'user_id']);
    expect(valid.raw).not.toContain(access.body.api_access_token);
    const other = await createUser(t.url, 'other-validate@example.com', 'VIEWER');
    expect(await validateAccess(access.body.api_access_token, other.userId)).toMatchObject({ status: 401, body: { detail: 'API Access Token provided is invalid.', code: '401000' } });
    expect(await validateAccess('kgat_nonsense')).toMatchObject({ status: 401, body: { detail: 'API Access Token provided is invalid.', code: '401000' } });
    expect(await validateRefresh(refresh.body.refresh_token, other.userId)).toMatchObject({ status: 401, body: { detail: 'Refresh token provided is invalid.', code: '401000' } });
    expect(await validateRefresh(access.body.api_access_token)).toMatchObject({ status: 401, body: { detail: 'Refresh token provided is invalid.' } });
    expect(await createAccess('kgrt_garbage')).toMatchObject({ status: 401, body: { detail: 'Refresh token provided is invalid.', code: '401000' } });
  });

  test('validate answers are cached until something changes: a use of the token shows in last_used_at', async () => {
    const refresh = await createRefresh('last used');
    const access = await createAccess(refresh.body.refresh_token);
    const secret: string = access.body.api_access_token;
    expect((await validateAccess(secret)).body.last_used_at).toBeNull();
    expect((await validateAccess(secret)).body.last_used_at).toBeNull();
    expectOk(await graphql(t.url, '{ viewer { name } }', {}, undefined, { TOKEN: secret }));
    // The use is recorded in the background: wait for the row, then validate reads it, not the cached answer.
    const hash = createHash('sha256').update(secret).digest('hex');
    const row = async () => (await t.gateway.db.dataSource.query('SELECT last_used_at FROM access_token WHERE secret_hash = $1', [hash]))[0];
    for (let tries = 0; tries < 200 && !(await row()).last_used_at; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
    const used = await validateAccess(secret);
    expect(used.body.last_used_at).toMatch(VENDOR_TIME);
    expect(used.body.token_status).toBe('ACTIVE');
  });

  test('expiry: access tokens after 24 hours, refresh tokens after 60 days cannot mint', async () => {
    const refresh = await createRefresh('expiring');
    const access = await createAccess(refresh.body.refresh_token);
    t.clock.advance(DAY - 1000);
    expect((await validateAccess(access.body.api_access_token)).body.token_status).toBe('ACTIVE');
    t.clock.advance(1000);
    expect((await validateAccess(access.body.api_access_token)).body.token_status).toBe('EXPIRED');
    expect(codes(await graphql(t.url, '{ viewer { name } }', {}, undefined, { TOKEN: access.body.api_access_token }))).toEqual(['UNAUTHENTICATED']);
    t.clock.advance(59 * DAY);
    expect((await validateRefresh(refresh.body.refresh_token)).body.token_status).toBe('EXPIRED');
    expect(await createAccess(refresh.body.refresh_token)).toMatchObject({ status: 401, body: { detail: 'Refresh token provided is expired or revoked.', code: '401000' } });
    const id = (await t.gateway.core.tokens.findRefreshTokenBySecret(refresh.body.refresh_token))!.id;
    expect(codes(await graphql(t.url, CREATE_ACCESS, { input: { refreshTokenId: id } }, OPERATOR_TOKEN))).toEqual(['BAD_USER_INPUT']);
  });

  test('a revoked refresh token takes its access tokens with it and cannot mint', async () => {
    const me = await signedInUser(t.url, 'revoker@example.com', 'COMPOSER');
    const refresh = expectOk(await graphql(t.url, CREATE_REFRESH, { input: { name: 'to revoke' } }, me.token)).createRefreshToken;
    const a1 = expectOk(await graphql(t.url, CREATE_ACCESS, { input: { refreshTokenId: refresh.refreshToken.id } }, me.token)).createAccessToken;
    const a2 = expectOk(await graphql(t.url, CREATE_ACCESS, { input: { refreshTokenId: refresh.refreshToken.id } }, me.token)).createAccessToken;
    const revoked = expectOk(await graphql(t.url, REVOKE, { id: refresh.refreshToken.id }, me.token)).revokeToken;
    expect(revoked.refreshToken.status).toBe('REVOKED');
    expect(revoked.revokedIds.sort()).toEqual([refresh.refreshToken.id, a1.accessToken.id, a2.accessToken.id].sort());
    expect(await createAccess(refresh.secret, me.userId)).toMatchObject({ status: 401, body: { detail: 'Refresh token provided is expired or revoked.' } });
    expect(codes(await graphql(t.url, CREATE_ACCESS, { input: { refreshTokenId: refresh.refreshToken.id } }, me.token))).toEqual(['BAD_USER_INPUT']);
  });

  test('a Server Admin revokes any user\'s token; the others may not', async () => {
    const admin = await signedInUser(t.url, 'admin-revoker@example.com', 'SERVER_ADMIN');
    const steward = await signedInUser(t.url, 'steward-revoker@example.com', 'STEWARD');
    const victim = await signedInUser(t.url, 'victim@example.com', 'VIEWER');
    expect(codes(await graphql(t.url, REVOKE, { id: victim.accessTokenId }, steward.token))).toEqual(['FORBIDDEN']);
    expect(expectOk(await graphql(t.url, REVOKE, { id: victim.accessTokenId }, admin.token)).revokeToken.accessToken.status).toBe('REVOKED');
  });

  test('20 parallel regenerations leave exactly one active access token', async () => {
    const me = await signedInUser(t.url, 'racer@example.com', 'SOURCE_ADMIN');
    const refresh = expectOk(await graphql(t.url, CREATE_REFRESH, { input: { name: 'raced' } }, me.token)).createRefreshToken;
    expectOk(await graphql(t.url, CREATE_ACCESS, { input: { refreshTokenId: refresh.refreshToken.id } }, me.token));
    const results = await Promise.all(
      Array.from({ length: 20 }, () => graphql(t.url, CREATE_ACCESS, { input: { refreshTokenId: refresh.refreshToken.id, regenerate: true } }, me.token)),
    );
    const ids = results.map((r) => expectOk(r).createAccessToken.accessToken.id);
    const tokens = expectOk(await graphql(t.url, `{ viewer { serviceAccount { refreshTokens { id accessToken { id } } accessTokens(status: ACTIVE) { id refreshToken { id } } } } }`, {}, me.token)).viewer.serviceAccount;
    const active = tokens.accessTokens.filter((a: any) => a.refreshToken?.id === refresh.refreshToken.id);
    expect(active).toHaveLength(1);
    expect(ids).toContain(active[0].id);
  });
});

describe('REST edge', () => {
  test.each([
    ['malformed JSON', '{"refresh_token": ', 'Request body is not valid JSON.'],
    ['a JSON array', '[1,2]', 'refresh_token: This field is required. user_id: This field is required.'],
    ['user_id as text', JSON.stringify({ refresh_token: 'kgrt_x', user_id: 'abc' }), 'user_id: A valid integer is required.'],
    ['user_id as a float', JSON.stringify({ refresh_token: 'kgrt_x', user_id: 1.5 }), 'user_id: A valid integer is required.'],
    ['refresh_token as a number', JSON.stringify({ refresh_token: 42, user_id: 1 }), 'refresh_token: Not a valid string.'],
  ])('%s: 400 Invalid Payload, never a 500', async (_label, body, detail) => {
    const response = await rest(t.url, '/integration/v1/createAPIAccessToken/', body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ title: 'Invalid Payload', detail, code: '400000' });
    expect(Array.isArray(response.body.errors)).toBe(true);
    expect(response.raw).not.toMatch(/at .*\.ts|Error:/);
  });

  test('form-encoded bodies and paths without the trailing slash work too', async () => {
    const response = await fetch(`${t.url}/integration/v1/createRefreshToken`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'tokens@example.com', password: PASSWORD, name: 'form' }).toString(),
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { refresh_token: string; user_id: number };
    expect((await rest(t.url, '/integration/v1/validateRefreshToken/', `{"refresh_token":"${body.refresh_token}","user_id":"${user.userId}"}`)).body.token_status).toBe('ACTIVE');
  });

  test('keygate routes need a TOKEN and answer 403 for a role that may not', async () => {
    expect(await rest(t.url, '/keygate/alation/listRefreshTokens/', {})).toMatchObject({ status: 401, body: { code: '401000' } });
    expect(await rest(t.url, '/keygate/alation/listRefreshTokens/', {}, { TOKEN: 'kgat_bogus' })).toMatchObject({ status: 401, body: { code: '401000' } });
    const viewer = await signedInUser(t.url, 'edge-viewer@example.com', 'VIEWER');
    const forbidden = await rest(t.url, '/keygate/alation/revokeUserTokens/', { user_id: user.userId }, { TOKEN: viewer.token });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({ detail: expect.stringContaining('token.revokeAll'), code: '403000' });
    expect(await rest(t.url, '/keygate/alation/listRefreshTokens/', { user_id: 999999 }, { TOKEN: viewer.token })).toMatchObject({ status: 404, body: { code: '404000' } });
  });
});
