import { createAtlanProvider } from '../../../src/plugins/atlan/atlan.provider';
import { OPERATOR_TOKEN, type TestGateway } from '../../support/gateway';
import { codes, expectOk, graphql } from '../../support/graphql';
import { bearerFor, createApiToken, createPersona, createUser, rest, startAtlanGateway, VIEWER } from './atlan-support';

const BEARER_SECONDS = 900;

let t: TestGateway;
let adminId: string;
const admin = async () => (await bearerFor(t.url, adminId)).secret;

beforeAll(async () => {
  // KEYGATE_LIFESPANS={"atlan":{"bearer":900}} as the gateway reads it.
  t = await startAtlanGateway({ config: { lifespans: { atlan: { bearer: BEARER_SECONDS } } } });
  adminId = await createUser(t.url, 'root', '$admin');
});
afterAll(() => t.close());

const connection = (token: string, name: string, qualifiedName?: string) =>
  rest(t.url, 'POST', '/api/atlan/connections', { token, body: { name, ...(qualifiedName ? { qualifiedName } : {}) } });
const collection = (token: string, name: string, qualifiedName?: string) =>
  rest(t.url, 'POST', '/api/atlan/collections', { token, body: { name, ...(qualifiedName ? { qualifiedName } : {}) } });

describe('users and their bearer tokens', () => {
  test('users are created by the operator with an Atlan role; roles are case-sensitive', async () => {
    const CREATE = `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { serviceAccount { id kind name role } secret } }`;
    const created = expectOk(await graphql(t.url, CREATE, { input: { provider: 'ATLAN', user: 'gus', role: '$guest' } }, OPERATOR_TOKEN)).createServiceAccount;
    expect(created).toEqual({ serviceAccount: { id: expect.any(String), kind: 'user', name: 'gus', role: '$guest' }, secret: null });
    const wrongCase = await graphql(t.url, CREATE, { input: { provider: 'ATLAN', user: 'gal', role: '$Admin' } }, OPERATOR_TOKEN);
    expect(codes(wrongCase)).toEqual(['BAD_USER_INPUT']);
    expect(wrongCase.errors![0].message).toContain('$admin, $member, $guest');
    const member = (await bearerFor(t.url, await createUser(t.url, 'mel', '$member'))).secret;
    expect(codes(await graphql(t.url, CREATE, { input: { provider: 'ATLAN', user: 'max', role: '$admin' } }, member))).toEqual(['FORBIDDEN']);
    // An $admin user may add users too.
    expect(expectOk(await graphql(t.url, CREATE, { input: { provider: 'ATLAN', user: 'meg', role: '$member' } }, await admin())).createServiceAccount.serviceAccount.role).toBe('$member');
  });

  test('a bearer token lives the configured lifespan, then is UNAUTHENTICATED on both faces', async () => {
    expect(createAtlanProvider(undefined as never).lifespans.bearer).toBe(3600); // the default KEYGATE_LIFESPANS overrides
    const userId = await createUser(t.url, 'short-session', '$admin');
    const bearer = await bearerFor(t.url, userId);
    expect(new Date(bearer.expiresAt!).getTime() - new Date(bearer.createdAt).getTime()).toBe(BEARER_SECONDS * 1000);
    const me = expectOk(await graphql(t.url, VIEWER, {}, bearer.secret)).viewer;
    expect(me).toMatchObject({ name: 'short-session', kind: 'user', role: '$admin', provider: 'ATLAN' });
    expect((await rest(t.url, 'GET', '/api/service/apikeys', { token: bearer.secret })).status).toBe(200);
    t.clock.advance(BEARER_SECONDS * 1000 - 1);
    expect(expectOk(await graphql(t.url, VIEWER, {}, bearer.secret)).viewer.name).toBe('short-session');
    t.clock.advance(1);
    expect(codes(await graphql(t.url, VIEWER, {}, bearer.secret))).toEqual(['UNAUTHENTICATED']);
    const expired = await rest(t.url, 'GET', '/api/service/apikeys', { token: bearer.secret });
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('UNAUTHENTICATED');
    // Logging in again gives a new one.
    expect(expectOk(await graphql(t.url, VIEWER, {}, (await bearerFor(t.url, userId)).secret)).viewer.name).toBe('short-session');
  });

  test('users and tokens are distinct actors: a token made by an admin has none of its rights; bearer tokens are for users only', async () => {
    const bearer = await admin();
    const token = await createApiToken(t.url, bearer, 'not-a-pat');
    const value = token.attributes.accessToken;
    expect(expectOk(await graphql(t.url, VIEWER, {}, value)).viewer).toMatchObject({ kind: 'api_token', role: null, name: 'not-a-pat' });
    expect((await rest(t.url, 'GET', '/api/service/apikeys', { token: bearer })).status).toBe(200);
    expect((await rest(t.url, 'GET', '/api/service/apikeys', { token: value })).status).toBe(403);
    const MINT = `mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { accessToken { id } secret } }`;
    const forToken = await graphql(t.url, MINT, { input: { serviceAccountId: token.id } }, OPERATOR_TOKEN);
    expect(codes(forToken)).toEqual(['BAD_USER_INPUT']);
    expect(forToken.errors![0].message).toMatch(/issued once/);
    // A user renews its own session; an admin cannot mint another user's bearer token.
    const otherId = await createUser(t.url, 'other', '$member');
    const own = (await bearerFor(t.url, otherId)).secret;
    expect(expectOk(await graphql(t.url, MINT, { input: {} }, own)).createAccessToken.secret).toMatch(/^kgat_/);
    expect(codes(await graphql(t.url, MINT, { input: { serviceAccountId: otherId } }, bearer))).toEqual(['FORBIDDEN']);
  });
});

describe('personas give a token what their policies grant', () => {
  test('linking a persona with connection.read opens the connection; unlinking closes it at once', async () => {
    const bearer = await admin();
    const created = await connection(bearer, 'warehouse', 'default/snowflake/1700000000');
    expect(created.status).toBe(201);
    await createPersona(t.url, 'Warehouse readers', 'persona/warehouse-readers', [{ action: 'connection.read', resource: 'default/snowflake/*' }]);
    await createPersona(t.url, 'Lake readers', 'persona/lake-readers', [{ action: 'connection.read', resource: 'default/s3/*' }]);
    const token = await createApiToken(t.url, bearer, 'reader-token', { personaQualifiedNames: ['persona/lake-readers'] });
    const value = token.attributes.accessToken;
    const read = () => rest(t.url, 'GET', `/api/atlan/connections/${created.body.guid}`, { token: value });
    expect((await read()).status).toBe(403);
    const link = (names: string[]) =>
      rest(t.url, 'POST', `/api/service/apikeys/${token.id}`, { token: bearer, body: { displayName: 'reader-token', description: '', personas: [], personaQualifiedNames: names } });
    expect((await link(['persona/lake-readers', 'persona/warehouse-readers'])).status).toBe(200);
    const allowed = await read();
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ guid: created.body.guid, typeName: 'Connection', attributes: { qualifiedName: 'default/snowflake/1700000000', name: 'warehouse', adminUsers: ['root'] } });
    // Reading is all the persona grants: managing the connection's policies needs being its admin.
    expect((await rest(t.url, 'GET', `/api/atlan/connections/${created.body.guid}/policies`, { token: value })).status).toBe(403);
    expect((await link(['persona/lake-readers'])).status).toBe(200);
    expect((await read()).status).toBe(403);
  });
});

describe('connections, collections and the catch-22', () => {
  test('a token that creates a connection becomes its admin; without personas it reaches only its own connections', async () => {
    const token = await createApiToken(t.url, await admin(), 'builder');
    const value = token.attributes.accessToken;
    const own = await connection(value, 'built-by-token');
    expect(own.status).toBe(201);
    expect(own.body.attributes.adminUsers).toEqual([`service-account-${token.clientId}`]);
    expect(own.body.attributes.createdBy).toBe('builder');
    expect((await rest(t.url, 'GET', `/api/atlan/connections/${own.body.guid}`, { token: value })).status).toBe(200);
    const policies = await rest(t.url, 'GET', `/api/atlan/connections/${own.body.guid}/policies`, { token: value });
    expect(policies.status).toBe(200);
    expect(policies.body.records).toEqual([{ username: `service-account-${token.clientId}`, kind: 'api_token', level: 'admin' }]);
    const someoneElses = await connection(await admin(), 'not-yours');
    expect((await rest(t.url, 'GET', `/api/atlan/connections/${someoneElses.body.guid}`, { token: value })).status).toBe(403);
    expect((await rest(t.url, 'GET', `/api/atlan/connections/${someoneElses.body.guid}/policies`, { token: value })).status).toBe(403);
  });

  test('a token cannot add itself as connection admin; a user who is admin adds it with their bearer token (impersonation)', async () => {
    const owner = await createUser(t.url, 'conn-owner', '$member');
    const ownerBearer = (await bearerFor(t.url, owner)).secret;
    // Members cannot create connections; the operator makes one and names the owner its admin.
    expect((await connection(ownerBearer, 'x')).status).toBe(403);
    const conn = await connection(OPERATOR_TOKEN, 'sales', 'default/postgres/sales');
    expect(conn.status).toBe(201);
    expect(conn.body.attributes.adminUsers).toEqual([]);
    expect((await rest(t.url, 'POST', `/api/atlan/connections/${conn.body.guid}/admins`, { token: OPERATOR_TOKEN, body: { username: 'conn-owner' } })).status).toBe(200);

    const token = await createApiToken(t.url, await admin(), 'sdk-token');
    const value = token.attributes.accessToken;
    const addAdmin = (caller: string, body: Record<string, unknown>) => rest(t.url, 'POST', `/api/atlan/connections/${conn.body.guid}/admins`, { token: caller, body });

    const self = await addAdmin(value, { apiToken: value });
    expect(self.status).toBe(403);
    expect(self.body.message).toMatch(/API token cannot add itself as admin.*bearer token of a user who already is an admin of the connection/);
    // A token that is admin of the connection cannot add another token either: only a user can.
    const builder = await createApiToken(t.url, await admin(), 'conn-admin-token');
    expect((await addAdmin(ownerBearer, { clientId: builder.clientId })).status).toBe(200);
    const byToken = await addAdmin(builder.attributes.accessToken, { clientId: token.clientId });
    expect(byToken.status).toBe(403);
    expect(byToken.body.message).toMatch(/API token cannot add an API token/);
    // A user without that standing is refused, even an $admin user.
    const stranger = await admin();
    const refused = await addAdmin(stranger, { apiToken: value });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/user must be one who already is an admin of the connection/);
    expect((await rest(t.url, 'GET', `/api/atlan/connections/${conn.body.guid}/policies`, { token: value })).status).toBe(403);

    // The owner's bearer token is the impersonation token; the token added is the SDK's own.
    const added = await addAdmin(ownerBearer, { apiToken: value });
    expect(added.status).toBe(200);
    expect(added.body.attributes.adminUsers).toEqual(['conn-owner', `service-account-${builder.clientId}`, `service-account-${token.clientId}`].sort());
    expect(added.raw).not.toContain(value);
    const policies = await rest(t.url, 'GET', `/api/atlan/connections/${conn.body.guid}/policies`, { token: value });
    expect(policies.status).toBe(200);
    // The token (now admin) manages the connection's policies: it adds a user as viewer.
    await createUser(t.url, 'analyst', '$member');
    const viewer = await rest(t.url, 'POST', `/api/atlan/connections/${conn.body.guid}/viewers`, { token: value, body: { username: 'analyst' } });
    expect(viewer.status).toBe(200);
    expect(viewer.body.attributes.viewerUsers).toEqual(['analyst']);
    // Adding never lowers a standing, and adding again changes nothing.
    expect((await addAdmin(ownerBearer, { clientId: `service-account-${token.clientId}` })).body.attributes.adminUsers).toHaveLength(3);
    const demote = await rest(t.url, 'POST', `/api/atlan/connections/${conn.body.guid}/viewers`, { token: ownerBearer, body: { clientId: token.clientId } });
    expect(demote.body.attributes.viewerUsers).toEqual(['analyst']);
  });

  test('collections: a user who is owner or editor adds a token as editor or viewer; a viewer may not', async () => {
    const ownerId = await createUser(t.url, 'coll-owner', '$member');
    const owner = (await bearerFor(t.url, ownerId)).secret;
    const coll = await collection(owner, 'Revenue queries', 'coll-owner/revenue');
    expect(coll.status).toBe(201);
    expect(coll.body).toMatchObject({ typeName: 'Collection', attributes: { adminUsers: ['coll-owner'], viewerUsers: [] } });
    const editorToken = await createApiToken(t.url, await admin(), 'coll-editor-token');
    const viewerToken = await createApiToken(t.url, await admin(), 'coll-viewer-token');
    const add = (caller: string, level: string, body: Record<string, unknown>) => rest(t.url, 'POST', `/api/atlan/collections/${coll.body.guid}/${level}`, { token: caller, body });

    expect((await add(editorToken.attributes.accessToken, 'editors', { apiToken: editorToken.attributes.accessToken })).status).toBe(403);
    expect((await add(owner, 'editors', { apiToken: editorToken.attributes.accessToken })).status).toBe(200);
    // The editor token now edits the collection, but cannot add tokens.
    const renamed = await rest(t.url, 'PATCH', `/api/atlan/collections/${coll.body.guid}`, { token: editorToken.attributes.accessToken, body: { name: 'Revenue' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.attributes.name).toBe('Revenue');
    expect((await add(editorToken.attributes.accessToken, 'viewers', { clientId: viewerToken.clientId })).status).toBe(403);

    // An editor user adds a viewer token; a viewer user cannot.
    const editorUserId = await createUser(t.url, 'coll-editor', '$member');
    const viewerUserId = await createUser(t.url, 'coll-viewer', '$member');
    expect((await add(owner, 'editors', { username: 'coll-editor' })).status).toBe(200);
    expect((await add(owner, 'viewers', { username: 'coll-viewer' })).status).toBe(200);
    const viewerUser = (await bearerFor(t.url, viewerUserId)).secret;
    const byViewer = await add(viewerUser, 'viewers', { clientId: viewerToken.clientId });
    expect(byViewer.status).toBe(403);
    expect(byViewer.body.message).toMatch(/editor or the owner of the collection/);
    expect((await rest(t.url, 'PATCH', `/api/atlan/collections/${coll.body.guid}`, { token: viewerUser, body: { name: 'mine' } })).status).toBe(403);
    const editorUser = (await bearerFor(t.url, editorUserId)).secret;
    const added = await add(editorUser, 'viewers', { clientId: viewerToken.clientId });
    expect(added.status).toBe(200);
    expect(added.body.attributes).toMatchObject({
      adminUsers: ['coll-owner', `service-account-${editorToken.clientId}`, 'coll-editor'].sort(),
      viewerUsers: ['coll-viewer', `service-account-${viewerToken.clientId}`].sort(),
    });
    // The viewer token sees the collection and may not change it.
    expect((await rest(t.url, 'GET', `/api/atlan/collections/${coll.body.guid}`, { token: viewerToken.attributes.accessToken })).status).toBe(200);
    expect((await rest(t.url, 'PATCH', `/api/atlan/collections/${coll.body.guid}`, { token: viewerToken.attributes.accessToken, body: { name: 'x' } })).status).toBe(403);
  });

  test('bad grant requests get 400 or 404, never 500', async () => {
    const conn = await connection(await admin(), 'checked');
    const bearer = await admin();
    const post = (path: string, body: unknown) => rest(t.url, 'POST', path, { token: bearer, body });
    expect((await post(`/api/atlan/connections/${conn.body.guid}/admins`, {})).status).toBe(400);
    expect((await post(`/api/atlan/connections/${conn.body.guid}/admins`, { apiToken: 'x', username: 'root' })).status).toBe(400);
    const invalid = await post(`/api/atlan/connections/${conn.body.guid}/admins`, { apiToken: 'kgat_not-a-token' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toMatch(/not a valid, active Atlan API token/);
    expect((await post(`/api/atlan/connections/${conn.body.guid}/admins`, { clientId: 'apikey-00000000-0000-4000-8000-000000000000' })).status).toBe(400);
    expect((await post(`/api/atlan/connections/${conn.body.guid}/admins`, { username: 'nobody' })).status).toBe(400);
    expect((await post(`/api/atlan/connections/${conn.body.guid}/editors`, { username: 'root' })).status).toBe(404);
    expect((await post('/api/atlan/connections/not-a-guid/admins', { username: 'root' })).status).toBe(400);
    expect((await post('/api/atlan/connections/00000000-0000-4000-8000-000000000000/admins', { username: 'root' })).status).toBe(404);
    expect((await post('/api/atlan/connections', { name: '' })).status).toBe(400);
    expect((await post('/api/atlan/connections', { name: 'dup', qualifiedName: 'default/dup' })).status).toBe(201);
    expect((await post('/api/atlan/connections', { name: 'dup', qualifiedName: 'default/dup' })).status).toBe(409);
    expect((await rest(t.url, 'POST', '/api/atlan/connections', { token: bearer, rawBody: '{', contentType: 'application/json' })).status).toBe(400);
    expect((await rest(t.url, 'GET', `/api/atlan/collections/${conn.body.guid}`, { token: bearer })).status).toBe(404);
    expect((await rest(t.url, 'POST', '/api/atlan/connections', { body: { name: 'anon' } })).status).toBe(401);
  });
});
