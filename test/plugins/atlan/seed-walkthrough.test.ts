import type { TestGateway } from '../../support/gateway';
import { codes, expectOk, graphql } from '../../support/graphql';
import { bearerFor, createPersona, createUser, filterQuery, rest, startAtlanGateway, VIEWER } from './atlan-support';

/**
 * The seed document (../shared/seeds/002_d440faac2fe1048f.txt), section by section and in its
 * order, with the vendor's own requests and response shapes.
 */
let t: TestGateway;
let userId: string;
let userBearer: string;

beforeAll(async () => {
  t = await startAtlanGateway();
  userId = await createUser(t.url, 'jane', '$admin');
  userBearer = (await bearerFor(t.url, userId)).secret;
});
afterAll(() => t.close());

test('API tokens, from creation to connection admin, in the order of the seed', async () => {
  // "API tokens are not personal access tokens": they carry their own permissions.
  // — Create an API token: POST /api/service/apikeys, name required, description and both persona lists sent even when empty.
  const created = await rest(t.url, 'POST', '/api/service/apikeys', {
    token: userBearer,
    body: { displayName: 'token-name', description: '', personas: [], personaQualifiedNames: [], validitySeconds: 409968000 },
  });
  expect(created.status).toBe(200);
  const value: string = created.body.attributes.accessToken;
  expect(value).toMatch(/^kgat_/);
  expect(created.body.attributes['access.token.lifespan']).toBe('409968000'); // "interpreted as never expiring"
  const { id: guid, clientId } = created.body;
  const token = expectOk(await graphql(t.url, VIEWER, {}, value)).viewer;
  expect(token).toMatchObject({ kind: 'api_token', role: null });
  expect((await rest(t.url, 'GET', '/api/service/apikeys', { token: value })).status).toBe(403); // not jane's rights

  // — Retrieve an API token by name: GET …?limit=2&offset=0&sort=-createdAt&filter={"displayName":"token-name"}. No value.
  const byName = await rest(t.url, 'GET', filterQuery({ displayName: 'token-name' }), { token: userBearer });
  expect(byName.body).toMatchObject({ totalRecord: 1, filterRecord: 1, records: [{ id: guid, clientId, displayName: 'token-name' }] });
  expect(byName.body.records[0].attributes.accessToken).toBeUndefined();
  expect(byName.raw).not.toContain(value);

  // — Retrieve by ID: the client id, "the same as the username … without the service-account- prefix".
  const byId = await rest(t.url, 'GET', filterQuery({ clientId }), { token: userBearer });
  expect(byId.body.records.map((r: { id: string }) => r.id)).toEqual([guid]);
  const byUsername = await rest(t.url, 'GET', filterQuery({ clientId: token.serviceAccount.username }), { token: userBearer });
  expect(byUsername.body.records.map((r: { id: string }) => r.id)).toEqual([guid]);

  // — Update: POST /api/service/apikeys/{guid}, name required, description e.g. changed, the lists sent.
  const updated = await rest(t.url, 'POST', `/api/service/apikeys/${guid}`, {
    token: userBearer,
    body: { displayName: 'token-name', description: 'Now with a description.', personas: [], personaQualifiedNames: [] },
  });
  expect(updated.status).toBe(200);
  expect(updated.body.attributes.description).toBe('Now with a description.');
  expect(updated.body.attributes.accessToken).toBeUndefined();

  // — Delete: by GUID, "not the same as its client ID". Irreversible: "no longer usable".
  expect((await rest(t.url, 'DELETE', `/api/service/apikeys/${clientId}`, { token: userBearer })).status).toBe(400);
  expect((await rest(t.url, 'DELETE', `/api/service/apikeys/${guid}`, { token: userBearer })).status).toBe(200);
  expect(codes(await graphql(t.url, VIEWER, {}, value))).toEqual(['UNAUTHENTICATED']);

  // — Give permissions to API token / Link an API token to a persona (the complete set, by qualified name).
  const sdk = await rest(t.url, 'POST', '/api/service/apikeys', {
    token: userBearer,
    body: { displayName: 'sdk-token', description: '', personas: [], personaQualifiedNames: [], validitySeconds: -1 },
  });
  expect(sdk.body.attributes['access.token.lifespan']).toBe('157680000');
  const sdkValue: string = sdk.body.attributes.accessToken;
  const conn = await rest(t.url, 'POST', '/api/atlan/connections', { token: userBearer, body: { name: 'production', qualifiedName: 'default/snowflake/1700000001' } });
  expect(conn.body.attributes.adminUsers).toEqual(['jane']);
  await createPersona(t.url, 'Production readers', 'persona/production-readers', [{ action: 'connection.read', resource: 'default/snowflake/1700000001' }]);
  expect((await rest(t.url, 'GET', `/api/atlan/connections/${conn.body.guid}`, { token: sdkValue })).status).toBe(403);
  const linked = await rest(t.url, 'POST', `/api/service/apikeys/${sdk.body.id}`, {
    token: userBearer,
    body: { displayName: 'sdk-token', description: '', personas: [], personaQualifiedNames: ['persona/production-readers'] },
  });
  expect(linked.body.attributes.personaQualifiedName).toEqual([{ id: expect.any(String), persona: expect.any(String), personaQualifiedName: 'persona/production-readers' }]);
  expect((await rest(t.url, 'GET', `/api/atlan/connections/${conn.body.guid}`, { token: sdkValue })).status).toBe(200);

  // — Add an API token as a connection admin: "for any actor to manage policies … must be a connection admin".
  const policies = () => rest(t.url, 'GET', `/api/atlan/connections/${conn.body.guid}/policies`, { token: sdkValue });
  expect((await policies()).status).toBe(403);
  // "An API token cannot be used to add itself as a connection admin."
  expect((await rest(t.url, 'POST', `/api/atlan/connections/${conn.body.guid}/admins`, { token: sdkValue, body: { apiToken: sdkValue } })).status).toBe(403);
  // A user's bearer token as the impersonation token; "it is the API token configured for the SDK that you're adding".
  const asAdmin = await rest(t.url, 'POST', `/api/atlan/connections/${conn.body.guid}/admins`, { token: userBearer, body: { apiToken: sdkValue } });
  expect(asAdmin.status).toBe(200);
  expect(asAdmin.body.attributes.adminUsers).toEqual(['jane', `service-account-${sdk.body.clientId}`]);
  expect((await policies()).status).toBe(200);

  // — Add an API token as a collection editor: a user already editor on (or owner of) the collection.
  const coll = await rest(t.url, 'POST', '/api/atlan/collections', { token: userBearer, body: { name: 'Revenue', qualifiedName: 'jane/revenue' } });
  expect(coll.body.attributes.adminUsers).toEqual(['jane']);
  const edit = () => rest(t.url, 'PATCH', `/api/atlan/collections/${coll.body.guid}`, { token: sdkValue, body: { name: 'Revenue queries' } });
  expect((await edit()).status).toBe(403);
  expect((await rest(t.url, 'POST', `/api/atlan/collections/${coll.body.guid}/editors`, { token: sdkValue, body: { apiToken: sdkValue } })).status).toBe(403);
  expect((await rest(t.url, 'POST', `/api/atlan/collections/${coll.body.guid}/editors`, { token: userBearer, body: { apiToken: sdkValue } })).status).toBe(200);
  expect((await edit()).status).toBe(200);

  // — Add an API token as a collection viewer: view and run, not change.
  const viewerToken = await rest(t.url, 'POST', '/api/service/apikeys', { token: userBearer, body: { displayName: 'viewer-token', description: '', personas: [], personaQualifiedNames: [], validitySeconds: 3600 } });
  const viewerValue: string = viewerToken.body.attributes.accessToken;
  expect((await rest(t.url, 'GET', `/api/atlan/collections/${coll.body.guid}`, { token: viewerValue })).status).toBe(403);
  const asViewer = await rest(t.url, 'POST', `/api/atlan/collections/${coll.body.guid}/viewers`, { token: userBearer, body: { apiToken: viewerValue } });
  expect(asViewer.body.attributes.viewerUsers).toEqual([`service-account-${viewerToken.body.clientId}`]);
  expect((await rest(t.url, 'GET', `/api/atlan/collections/${coll.body.guid}`, { token: viewerValue })).status).toBe(200);
  expect((await rest(t.url, 'PATCH', `/api/atlan/collections/${coll.body.guid}`, { token: viewerValue, body: { name: 'mine' } })).status).toBe(403);

  // — Obtain a user's bearer token: "Has a limited lifespan" — when the session ends it must be re-retrieved.
  t.clock.advance(3600 * 1000);
  expect(codes(await graphql(t.url, VIEWER, {}, userBearer))).toEqual(['UNAUTHENTICATED']);
  expect((await rest(t.url, 'POST', `/api/atlan/collections/${coll.body.guid}/viewers`, { token: userBearer, body: { clientId: sdk.body.clientId } })).status).toBe(401);
  userBearer = (await bearerFor(t.url, userId)).secret;
  expect(expectOk(await graphql(t.url, VIEWER, {}, userBearer)).viewer.name).toBe('jane');
  // The API token does not share the session's lifespan ("never expires" capped to 5 years by the SDK).
  expect(expectOk(await graphql(t.url, VIEWER, {}, sdkValue)).viewer.name).toBe('sdk-token');

  // — Footnote 1: a token that creates a connection is its admin from the start.
  const own = await rest(t.url, 'POST', '/api/atlan/connections', { token: sdkValue, body: { name: 'token-made' } });
  expect(own.body.attributes.adminUsers).toEqual([`service-account-${sdk.body.clientId}`]);
  expect((await rest(t.url, 'GET', `/api/atlan/connections/${own.body.guid}/policies`, { token: sdkValue })).status).toBe(200);

  // Nothing of this stored or logged a token value.
  const stored: { n: string }[] = await t.gateway.db.dataSource.query(
    `SELECT count(*)::text AS n FROM service_account WHERE attributes::text LIKE $1 OR description LIKE $1`,
    [`%${sdkValue}%`],
  );
  expect(stored[0].n).toBe('0');
  expect(t.logs.join('\n')).not.toContain(sdkValue);
});
