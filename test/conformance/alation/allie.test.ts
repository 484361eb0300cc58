import { createAlationProvider } from '../../../src/plugins/alation/alation.provider';
import { createOAuthClient, createUser, rest, signedInUser, type SignedInUser } from '../../plugins/alation/alation-support';
import { startTestGateway, type TestGateway } from '../../support/gateway';
import { Allie, AllieHttpError } from './allie-sdk';

/**
 * Allie SDK's authentication and user calls against keygate's Alation face, each sending what the
 * SDK sends and read with the SDK's models (allie-sdk.ts). README.md lists what is covered.
 */
let t: TestGateway;
let allie: Allie;
let admin: SignedInUser;
let steward: { userId: number; refresh: string };
const PASSWORD = 'Conformance-Pa55word!';

beforeAll(async () => {
  t = await startTestGateway({ providers: [createAlationProvider] });
  allie = new Allie(t.url);
  admin = await signedInUser(t.url, 'allie-admin@example.com', 'SERVER_ADMIN');
  const user = await createUser(t.url, 'allie-steward@example.com', 'STEWARD', PASSWORD);
  const created = await rest(t.url, '/integration/v1/createRefreshToken/', { username: 'allie-steward@example.com', password: PASSWORD, name: 'allie' });
  if (created.status !== 201) throw new Error(created.raw);
  steward = { userId: user.userId, refresh: created.body.refresh_token };
  await createUser(t.url, 'allie-viewer@example.com', 'VIEWER');
}, 180_000);
afterAll(() => t.close());

describe('AlationAuthentication', () => {
  test('Alation(host, user_id, refresh_token): validate_refresh_token, then create_access_token (which validates again)', async () => {
    const validated = await allie.validateRefreshToken(steward.refresh, steward.userId);
    expect(validated).toMatchObject({ userId: steward.userId, name: 'allie', tokenStatus: 'ACTIVE' });
    expect(validated.createdAt).toBeInstanceOf(Date);
    expect(validated.tokenExpiresAt).toBeInstanceOf(Date);
    const access = await allie.createAccessToken(steward.refresh, steward.userId);
    expect(access.apiAccessToken).toMatch(/^kgat_/);
    expect(access.tokenStatus).toBe('ACTIVE');
    const checked = await allie.validateAccessToken(access.apiAccessToken!, steward.userId);
    expect(checked.tokenStatus).toBe('ACTIVE');
  });

  test('Alation(host, user_id, access_token): keeps validate_access_token(...).api_access_token as its TOKEN header', async () => {
    const access = await allie.createAccessToken(steward.refresh, steward.userId);
    expect((await allie.validateAccessToken(access.apiAccessToken!, steward.userId)).apiAccessToken).toBe(access.apiAccessToken);
  });

  test('revoke_access_tokens(): the access tokens of the refresh token stop', async () => {
    const access = await allie.createAccessToken(steward.refresh, steward.userId);
    await allie.revokeAccessTokens(steward.refresh, steward.userId);
    // validateAPIAccessToken answers 200 with the status, as Alation does.
    expect((await allie.validateAccessToken(access.apiAccessToken!, steward.userId)).tokenStatus).toBe('REVOKED');
  });

  test('a wrong refresh token: the HTTP error the SDK raises (401 with Alation\'s body)', async () => {
    const error = await allie.validateRefreshToken('kgrt_wrong', steward.userId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllieHttpError);
    expect((error as AllieHttpError).response.status).toBe(401);
    expect((error as AllieHttpError).response.json).toMatchObject({ code: '401000' });
  });

  test('create_oauth_token(): client id and secret in the form body, and with use_basic_auth (requests\' raw Basic)', async () => {
    const client = await createOAuthClient(t.url, 'STEWARD');
    for (const basic of [false, true]) {
      const token = await allie.createOAuthToken(client.clientId, client.clientSecret, basic);
      expect(token.tokenType).toBe('Bearer');
      expect(token.expiresIn).toBe(3600);
      expect(token.accessToken.split('.')).toHaveLength(3);
    }
  });
});

describe('AlationUser', () => {
  test('get_authenticated_user(): /integration/v1/userinfo/ (the SDK adds limit=1000), for a token and for an OAuth JWT', async () => {
    const me = await allie.getAuthenticatedUser(admin.token);
    expect(me).toMatchObject({ id: admin.userId, username: 'allie-admin@example.com', email: 'allie-admin@example.com', role: 'SERVER_ADMIN' });
    const client = await createOAuthClient(t.url, 'VIEWER');
    const jwt = (await allie.createOAuthToken(client.clientId, client.clientSecret, false)).accessToken;
    expect((await allie.getAuthenticatedUser(jwt)).role).toBe('VIEWER');
  });

  test('get_users() on v2 (default) and v1: every user, in the model; v2 carries last_login and ts_created', async () => {
    const v2 = await allie.getUsers(admin.token);
    expect(v2.map((u) => u.email)).toEqual(expect.arrayContaining(['allie-admin@example.com', 'allie-steward@example.com', 'allie-viewer@example.com']));
    for (const user of v2) expect(user.tsCreated).toBeInstanceOf(Date);
    const v1 = await allie.getUsers(admin.token, {}, 'v1');
    expect(v1.map((u) => u.id).sort()).toEqual(v2.map((u) => u.id).sort());
  });

  test('get_users(UserParams): id (several), email, email__icontains, display_name__contains', async () => {
    const all = await allie.getUsers(admin.token);
    const [a, b] = all;
    expect((await allie.getUsers(admin.token, { id: [a.id, b.id] })).map((u) => u.id).sort()).toEqual([a.id, b.id].sort());
    expect((await allie.getUsers(admin.token, { email: ['allie-steward@example.com'] })).map((u) => u.email)).toEqual(['allie-steward@example.com']);
    expect((await allie.getUsers(admin.token, { email__icontains: ['ALLIE-VIEW'] })).map((u) => u.email)).toEqual(['allie-viewer@example.com']);
    expect(await allie.getUsers(admin.token, { display_name__contains: ['no such name'] })).toEqual([]);
  });

  test('get_a_user(id) on v2 and v1; an unknown id is an HTTP 404', async () => {
    expect((await allie.getAUser(admin.token, steward.userId)).email).toBe('allie-steward@example.com');
    expect((await allie.getAUser(admin.token, steward.userId, 'v1')).email).toBe('allie-steward@example.com');
    await expect(allie.getAUser(admin.token, 999999)).rejects.toMatchObject({ response: { status: 404 } });
  });

  test('without a token the user calls are refused (an HTTP error, never a user list)', async () => {
    const response = await allie.getUsers('kgat_wrong').catch((e: unknown) => e);
    expect(response).toBeInstanceOf(AllieHttpError);
    expect([401, 403]).toContain((response as AllieHttpError).response.status);
  });
});
