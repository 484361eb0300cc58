import { OPERATOR_TOKEN, type TestGateway } from '../../support/gateway';
import { codes, expectOk, graphql } from '../../support/graphql';
import { allStoredText } from '../../support/secret-scan';
import {
  bearerFor,
  createApiToken,
  createPersona,
  createUser,
  filterQuery,
  rest,
  startAtlanGateway,
  VIEWER,
} from './atlan-support';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CREATE = `mutation($input: CreateServiceAccountInput!) {
  createServiceAccount(input: $input) { serviceAccount { id kind name displayName description clientId username createdBy accessTokens { id kind status expiresAt } personas { qualifiedName } } secret } }`;
const ACCOUNT = `query($id: ID!) { serviceAccount(id: $id) { id kind name displayName description clientId username personas { qualifiedName } accessTokens { id kind status expiresAt } } }`;

let t: TestGateway;
let adminId: string;
/** A fresh bearer token of the `$admin` user: tests move the clock, sessions end. */
const admin = async () => (await bearerFor(t.url, adminId)).secret;

beforeAll(async () => {
  t = await startAtlanGateway();
  adminId = await createUser(t.url, 'ada', '$admin');
  await createPersona(t.url, 'Data Readers', 'default/readers');
  await createPersona(t.url, 'Data Stewards', 'default/stewards');
  await createPersona(t.url, 'Finance', 'default/finance');
});
afterAll(() => t.close());

const personasOf = async (id: string) =>
  (expectOk(await graphql(t.url, ACCOUNT, { id }, OPERATOR_TOKEN)).serviceAccount.personas as { qualifiedName: string }[]).map((p) => p.qualifiedName);

describe('create', () => {
  test('over REST: the vendor record, the value under attributes.accessToken, and the token is its own actor', async () => {
    const bearer = await admin();
    const created = await rest(t.url, 'POST', '/api/service/apikeys', {
      token: bearer,
      body: { displayName: 'ci-loader', description: 'loads things', personas: [], personaQualifiedNames: ['default/readers'], validitySeconds: 86400 },
    });
    expect(created.status).toBe(200);
    const record = created.body;
    expect(record.id).toMatch(UUID);
    expect(record.clientId).toMatch(/^apikey-[0-9a-f-]{36}$/);
    expect(record.clientId).not.toBe(`apikey-${record.id}`);
    expect(record.displayName).toBe('ci-loader');
    expect(record.attributes).toEqual({
      clientId: record.clientId,
      displayName: 'ci-loader',
      description: 'loads things',
      // Decimal text, as atlan-go reads them (pyatlan and atlan-java read text as numbers).
      createdAt: String(t.clock.now().getTime()),
      createdBy: 'ada',
      'access.token.lifespan': '86400',
      personas: [],
      personaQualifiedName: [{ id: expect.any(String), persona: 'Data Readers', personaQualifiedName: 'default/readers' }],
      workspacePermissions: [],
      accessToken: expect.stringMatching(/^kgat_/),
    });

    // The token acts as user service-account-apikey-…, with its own (lack of) role, not ada's.
    const me = expectOk(await graphql(t.url, VIEWER, {}, record.attributes.accessToken)).viewer;
    expect(me).toEqual({
      isOperator: false,
      name: 'ci-loader',
      kind: 'api_token',
      role: null,
      provider: 'ATLAN',
      serviceAccount: { id: record.id, clientId: record.clientId, username: `service-account-${record.clientId}` },
    });
    const listed = await rest(t.url, 'GET', '/api/service/apikeys', { token: record.attributes.accessToken });
    expect(listed.status).toBe(403);
  });

  test('over GraphQL: the value is the payload secret; the token has exactly one access token of kind api_token', async () => {
    const created = expectOk(
      await graphql(t.url, CREATE, { input: { provider: 'ATLAN', displayName: 'gql-token', description: '', personaQualifiedNames: ['default/stewards'], validitySeconds: 3600 } }, await admin()),
    ).createServiceAccount;
    expect(created.secret).toMatch(/^kgat_/);
    expect(created.serviceAccount).toMatchObject({ kind: 'api_token', name: 'gql-token', displayName: 'gql-token', description: '', createdBy: 'ada', personas: [{ qualifiedName: 'default/stewards' }] });
    expect(created.serviceAccount.clientId).toMatch(/^apikey-/);
    expect(created.serviceAccount.username).toBe(`service-account-${created.serviceAccount.clientId}`);
    expect(created.serviceAccount.accessTokens).toEqual([{ id: expect.any(String), kind: 'api_token', status: 'ACTIVE', expiresAt: new Date(t.clock.now().getTime() + 3600_000).toISOString() }]);
    expect(expectOk(await graphql(t.url, VIEWER, {}, created.secret)).viewer.serviceAccount.id).toBe(created.serviceAccount.id);
  });

  test('a member user may not create tokens, on either face', async () => {
    const memberId = await createUser(t.url, 'mo', '$member');
    const bearer = (await bearerFor(t.url, memberId)).secret;
    const viaRest = await rest(t.url, 'POST', '/api/service/apikeys', { token: bearer, body: { displayName: 'nope', description: '', personas: [], personaQualifiedNames: [] } });
    expect(viaRest.status).toBe(403);
    expect(codes(await graphql(t.url, CREATE, { input: { provider: 'ATLAN', displayName: 'nope' } }, bearer))).toEqual(['FORBIDDEN']);
    expect((await rest(t.url, 'POST', '/api/service/apikeys', { body: { displayName: 'nope', description: '' } })).status).toBe(401);
  });

  test('display names are unique: a second token with the same name is a CONFLICT', async () => {
    await createApiToken(t.url, await admin(), 'twin');
    const again = await rest(t.url, 'POST', '/api/service/apikeys', { token: await admin(), body: { displayName: 'twin', description: '', personas: [], personaQualifiedNames: [] } });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/twin/);
    expect(codes(await graphql(t.url, CREATE, { input: { provider: 'ATLAN', displayName: 'twin' } }, OPERATOR_TOKEN))).toEqual(['CONFLICT']);
  });

  test.each([
    ['the vendor never-expires value', 409968000, 409968000, null],
    ['a negative value (the SDK cap)', -1, 157680000, 157680000],
    ['more than the cap', 200000000, 157680000, 157680000],
    ['a plain number of seconds', 600, 600, 600],
  ])('validitySeconds: %s', async (_label, requested, stored, lifespan) => {
    const record = await createApiToken(t.url, await admin(), `validity-${requested}`, { validitySeconds: requested });
    expect(record.attributes['access.token.lifespan']).toBe(String(stored));
    const account = expectOk(await graphql(t.url, ACCOUNT, { id: record.id }, OPERATOR_TOKEN)).serviceAccount;
    expect(account.accessTokens[0].expiresAt).toBe(lifespan === null ? null : new Date(t.clock.now().getTime() + lifespan * 1000).toISOString());
    // GraphQL takes the same values (its input allows -1 up to 409968000).
    if (requested <= 409968000) {
      const viaGraphql = expectOk(await graphql(t.url, CREATE, { input: { provider: 'ATLAN', displayName: `gql-validity-${requested}`, validitySeconds: requested } }, OPERATOR_TOKEN)).createServiceAccount;
      expect(viaGraphql.serviceAccount.accessTokens[0].expiresAt).toBe(account.accessTokens[0].expiresAt);
    }
  });

  test('a token expires after its validity: UNAUTHENTICATED on both faces', async () => {
    const record = await createApiToken(t.url, await admin(), 'short-lived', { validitySeconds: 60 });
    const value = record.attributes.accessToken;
    expect(expectOk(await graphql(t.url, VIEWER, {}, value)).viewer.name).toBe('short-lived');
    t.clock.advance(60_000);
    expect(codes(await graphql(t.url, VIEWER, {}, value))).toEqual(['UNAUTHENTICATED']);
    expect((await rest(t.url, 'POST', '/api/atlan/connections', { token: value, body: { name: 'x' } })).status).toBe(401);
    const account = expectOk(await graphql(t.url, ACCOUNT, { id: record.id }, OPERATOR_TOKEN)).serviceAccount;
    expect(account.accessTokens[0].status).toBe('EXPIRED');
  });

  test.each([
    ['zero validity', { displayName: 'z', description: '', personas: [], personaQualifiedNames: [], validitySeconds: 0 }, /validitySeconds/],
    ['fractional validity', { displayName: 'z', description: '', personas: [], personaQualifiedNames: [], validitySeconds: 1.5 }, /validitySeconds/],
    ['text validity', { displayName: 'z', description: '', personas: [], personaQualifiedNames: [], validitySeconds: 'forever' }, /validitySeconds/],
    ['no display name', { description: '', personas: [], personaQualifiedNames: [] }, /displayName/],
    ['blank display name', { displayName: '  ', description: '', personas: [], personaQualifiedNames: [] }, /displayName/],
    ['no description', { displayName: 'z', personas: [], personaQualifiedNames: [] }, /description.*empty string/],
    ['personas not a list', { displayName: 'z', description: '', personas: 'x', personaQualifiedNames: [] }, /personas/],
    ['persona names not strings', { displayName: 'z', description: '', personas: [], personaQualifiedNames: [1] }, /personaQualifiedNames/],
  ])('refused with 400: %s', async (_label, body, message) => {
    const response = await rest(t.url, 'POST', '/api/service/apikeys', { token: await admin(), body });
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(message);
  });

  test('non-JSON bodies get 400 with a clear message, never 500', async () => {
    const bearer = await admin();
    const broken = await rest(t.url, 'POST', '/api/service/apikeys', { token: bearer, rawBody: '{"displayName": "x",' });
    expect(broken.status).toBe(400);
    expect(broken.body.message).toMatch(/not valid JSON/);
    const text = await rest(t.url, 'POST', '/api/service/apikeys', { token: bearer, rawBody: 'displayName=x', contentType: 'text/plain' });
    expect(text.status).toBe(400);
    expect(text.body.message).toMatch(/JSON body/);
    const form = await rest(t.url, 'POST', '/api/service/apikeys', { token: bearer, rawBody: 'displayName=x&description=', contentType: 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(400);
    const list = await rest(t.url, 'POST', '/api/service/apikeys', { token: bearer, body: [{ displayName: 'x' }] });
    expect(list.status).toBe(400);
    expect(list.body.message).toMatch(/JSON object/);
    const update = await rest(t.url, 'POST', `/api/service/apikeys/${adminId}`, { token: bearer, rawBody: 'nope' });
    expect(update.status).toBe(400);
  });
});

describe('retrieve', () => {
  test('by display name, by client id with and without the service-account- prefix, and by GUID; never the value', async () => {
    const created = await createApiToken(t.url, await admin(), 'finder', { description: 'find me', personaQualifiedNames: ['default/readers', 'default/finance'] });
    const value = created.attributes.accessToken;
    const bearer = await admin();
    const byName = await rest(t.url, 'GET', filterQuery({ displayName: 'finder' }), { token: bearer });
    const byClientId = await rest(t.url, 'GET', filterQuery({ clientId: created.clientId }), { token: bearer });
    const byUsername = await rest(t.url, 'GET', filterQuery({ clientId: `service-account-${created.clientId}` }), { token: bearer });
    const byGuid = await rest(t.url, 'GET', filterQuery({ id: created.id }), { token: bearer });
    for (const response of [byName, byClientId, byUsername, byGuid]) {
      expect(response.status).toBe(200);
      expect(response.body.filterRecord).toBe(1);
      expect(response.body.records).toHaveLength(1);
      const [record] = response.body.records;
      expect(record).toEqual({
        id: created.id,
        clientId: created.clientId,
        displayName: 'finder',
        attributes: {
          clientId: created.clientId,
          displayName: 'finder',
          description: 'find me',
          createdAt: created.attributes.createdAt,
          createdBy: 'ada',
          'access.token.lifespan': '157680000',
          // The same shape as create's answer: one record shape for every call.
          personas: [],
          personaQualifiedName: created.attributes.personaQualifiedName,
          workspacePermissions: [],
        },
      });
      expect(response.raw).not.toContain(value);
    }
    // A GUID is not a client id: filtering ids by a client id finds nothing.
    expect((await rest(t.url, 'GET', filterQuery({ id: created.clientId }), { token: bearer })).body.filterRecord).toBe(0);

    // GraphQL: by GUID, and in the provider's list by name.
    const account = expectOk(await graphql(t.url, ACCOUNT, { id: created.id }, bearer)).serviceAccount;
    expect(account).toMatchObject({ id: created.id, kind: 'api_token', name: 'finder', clientId: created.clientId, username: `service-account-${created.clientId}` });
    const all = expectOk(await graphql(t.url, `{ serviceAccounts(provider: ATLAN, first: 100) { nodes { id name clientId kind } } }`, {}, bearer)).serviceAccounts.nodes;
    expect(all.filter((n: { name: string }) => n.name === 'finder')).toEqual([{ id: created.id, name: 'finder', clientId: created.clientId, kind: 'api_token' }]);
    // The token may read itself; a token may not read another.
    expect(expectOk(await graphql(t.url, ACCOUNT, { id: created.id }, value)).serviceAccount.id).toBe(created.id);
    const other = await createApiToken(t.url, bearer, 'nosy');
    expect(codes(await graphql(t.url, ACCOUNT, { id: created.id }, other.attributes.accessToken))).toEqual(['FORBIDDEN']);
  });

  test('list: limit, offset, sort, count; totalRecord counts all tokens, filterRecord the matching ones; users are not listed', async () => {
    const bearer = await admin();
    for (const name of ['page-c', 'page-a', 'page-b']) {
      t.clock.advance(1000);
      await createApiToken(t.url, bearer, name);
    }
    const filter = encodeURIComponent(JSON.stringify({ displayName: { $ilike: 'page-%' } }));
    const newest = await rest(t.url, 'GET', `/api/service/apikeys?limit=2&offset=0&sort=-createdAt&filter=${filter}&count=true`, { token: bearer });
    expect(newest.status).toBe(200);
    expect(newest.body.filterRecord).toBe(3);
    expect(newest.body.records.map((r: { displayName: string }) => r.displayName)).toEqual(['page-b', 'page-a']);
    const next = await rest(t.url, 'GET', `/api/service/apikeys?limit=2&offset=2&sort=-createdAt&filter=${filter}`, { token: bearer });
    expect(next.body.records.map((r: { displayName: string }) => r.displayName)).toEqual(['page-c']);
    const byName = await rest(t.url, 'GET', `/api/service/apikeys?sort=displayName&filter=${filter}&count=false`, { token: bearer });
    expect(byName.body.records.map((r: { displayName: string }) => r.displayName)).toEqual(['page-a', 'page-b', 'page-c']);
    // count as the SDKs spell it: Python's True/False, Go's and Java's true, and 1.
    for (const count of ['True', 'False', 'TRUE', '1', '0'])
      expect((await rest(t.url, 'GET', `/api/service/apikeys?filter=${filter}&count=${count}`, { token: bearer })).body.filterRecord).toBe(3);
    const everything = await rest(t.url, 'GET', '/api/service/apikeys?limit=1000', { token: bearer });
    const tokens: { count: string }[] = await t.gateway.db.dataSource.query(`SELECT count(*)::text AS count FROM service_account WHERE provider = 'atlan' AND kind = 'api_token' AND deleted_at IS NULL`);
    expect(everything.body.totalRecord).toBe(Number(tokens[0].count));
    expect(everything.body.filterRecord).toBe(everything.body.totalRecord);
    expect(everything.body.records).toHaveLength(everything.body.totalRecord);
    expect(everything.body.records.some((r: { displayName: string }) => r.displayName === 'ada')).toBe(false);
  });

  test.each([
    ['filter that is not JSON', `filter=${encodeURIComponent('{displayName: x}')}`, /filter must be JSON/],
    ['filter that is a list', `filter=${encodeURIComponent('["x"]')}`, /JSON object/],
    ['filter on an unknown key', `filter=${encodeURIComponent('{"owner":"x"}')}`, /Unknown filter key "owner"/],
    ['filter with a number', `filter=${encodeURIComponent('{"displayName":3}')}`, /filter.displayName/],
    ['unknown sort key', 'sort=-updatedAt', /Unknown sort key "-updatedAt"/],
    ['negative limit', 'limit=-1', /limit must be a whole number/],
    ['text offset', 'offset=ten', /offset must be a whole number/],
    ['count that is not a boolean', 'count=maybe', /count must be true or false/],
    ['a parameter given twice', 'limit=1&limit=2', /limit once/],
  ])('list refuses %s with 400', async (_label, query, message) => {
    const response = await rest(t.url, 'GET', `/api/service/apikeys?${query}`, { token: await admin() });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('BAD_USER_INPUT');
    expect(response.body.message).toMatch(message);
  });
});

describe('update', () => {
  test('display name and description; the token keeps its GUID, client id and value', async () => {
    const created = await createApiToken(t.url, await admin(), 'renamed-from', { description: 'old' });
    const updated = await rest(t.url, 'POST', `/api/service/apikeys/${created.id}`, {
      token: await admin(),
      body: { displayName: 'renamed-to', description: 'new', personas: [], personaQualifiedNames: [] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: created.id, clientId: created.clientId, displayName: 'renamed-to', attributes: { description: 'new', displayName: 'renamed-to' } });
    expect(updated.body.attributes.accessToken).toBeUndefined();
    expect(expectOk(await graphql(t.url, VIEWER, {}, created.attributes.accessToken)).viewer.name).toBe('renamed-to');
    const account = expectOk(await graphql(t.url, ACCOUNT, { id: created.id }, OPERATOR_TOKEN)).serviceAccount;
    expect(account).toMatchObject({ name: 'renamed-to', displayName: 'renamed-to', description: 'new' });
    expect((await rest(t.url, 'GET', filterQuery({ displayName: 'renamed-from' }), { token: await admin() })).body.filterRecord).toBe(0);
    // Renaming onto another token's name is a conflict that changes nothing.
    await createApiToken(t.url, await admin(), 'taken-name');
    const clash = await rest(t.url, 'POST', `/api/service/apikeys/${created.id}`, { token: await admin(), body: { displayName: 'taken-name', description: 'x', personas: [], personaQualifiedNames: [] } });
    expect(clash.status).toBe(409);
    expect(expectOk(await graphql(t.url, ACCOUNT, { id: created.id }, OPERATOR_TOKEN)).serviceAccount).toMatchObject({ name: 'renamed-to', description: 'new' });
  });

  test("the seed's warning: the persona list is the complete set; omitted personas are unlinked; an empty or missing list unlinks all", async () => {
    const created = await createApiToken(t.url, await admin(), 'complete-set', { personaQualifiedNames: ['default/readers'] });
    const update = async (body: Record<string, unknown>) => {
      const response = await rest(t.url, 'POST', `/api/service/apikeys/${created.id}`, { token: await admin(), body: { displayName: 'complete-set', description: '', personas: [], ...body } });
      expect(response.status).toBe(200);
      return response.body.attributes.personaQualifiedName.map((p: { personaQualifiedName: string }) => p.personaQualifiedName);
    };
    // Linking: the set given is the set held.
    expect(await update({ personaQualifiedNames: ['default/readers', 'default/stewards'] })).toEqual(['default/readers', 'default/stewards']);
    expect(await personasOf(created.id)).toEqual(['default/readers', 'default/stewards']);
    // "Any personas you leave out of the set will be removed from the API token."
    expect(await update({ personaQualifiedNames: ['default/stewards', 'default/finance'] })).toEqual(['default/finance', 'default/stewards']);
    expect(await personasOf(created.id)).toEqual(['default/finance', 'default/stewards']);
    // "If you send an empty set ... ALL linked personas will be removed."
    expect(await update({ personaQualifiedNames: [] })).toEqual([]);
    expect(await personasOf(created.id)).toEqual([]);
    // "... or no value at all": a missing list unlinks all too.
    await update({ personaQualifiedNames: ['default/readers'] });
    expect(await personasOf(created.id)).toEqual(['default/readers']);
    expect(await update({})).toEqual([]);
    expect(await personasOf(created.id)).toEqual([]);
    // And the vendor's retrieve shows the same set.
    const listed = await rest(t.url, 'GET', filterQuery({ id: created.id }), { token: await admin() });
    expect(listed.body.records[0].attributes.personaQualifiedName).toEqual([]);
  });

  test('an unknown persona is BAD_USER_INPUT and changes nothing, on create and on update', async () => {
    const created = await createApiToken(t.url, await admin(), 'keeps-its-set', { description: 'before', personaQualifiedNames: ['default/readers'] });
    const response = await rest(t.url, 'POST', `/api/service/apikeys/${created.id}`, {
      token: await admin(),
      body: { displayName: 'changed-name', description: 'after', personas: [], personaQualifiedNames: ['default/stewards', 'default/nobody'] },
    });
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/default\/nobody/);
    expect(expectOk(await graphql(t.url, ACCOUNT, { id: created.id }, OPERATOR_TOKEN)).serviceAccount).toMatchObject({
      name: 'keeps-its-set',
      description: 'before',
      personas: [{ qualifiedName: 'default/readers' }],
    });
    const before = await rest(t.url, 'GET', '/api/service/apikeys', { token: await admin() });
    const viaRest = await rest(t.url, 'POST', '/api/service/apikeys', { token: await admin(), body: { displayName: 'ghost', description: '', personas: [], personaQualifiedNames: ['default/nobody'] } });
    expect(viaRest.status).toBe(400);
    const viaGraphql = await graphql(t.url, CREATE, { input: { provider: 'ATLAN', displayName: 'ghost', personaQualifiedNames: ['default/nobody'] } }, OPERATOR_TOKEN);
    expect(codes(viaGraphql)).toEqual(['BAD_USER_INPUT']);
    const after = await rest(t.url, 'GET', '/api/service/apikeys', { token: await admin() });
    expect(after.body.totalRecord).toBe(before.body.totalRecord);
    const ghosts: unknown[] = await t.gateway.db.dataSource.query(`SELECT id FROM service_account WHERE name = 'ghost'`);
    expect(ghosts).toEqual([]);
  });

  test('update needs a GUID and an admin; validitySeconds cannot change; an unknown GUID is 404', async () => {
    const created = await createApiToken(t.url, await admin(), 'guarded');
    const body = { displayName: 'guarded', description: '', personas: [], personaQualifiedNames: [] };
    const byClientId = await rest(t.url, 'POST', `/api/service/apikeys/${created.clientId}`, { token: await admin(), body });
    expect(byClientId.status).toBe(400);
    expect(byClientId.body.message).toMatch(/client ID.*GUID/);
    const validity = await rest(t.url, 'POST', `/api/service/apikeys/${created.id}`, { token: await admin(), body: { ...body, validitySeconds: 5 } });
    expect(validity.status).toBe(400);
    expect(validity.body.message).toMatch(/validitySeconds/);
    const missing = await rest(t.url, 'POST', '/api/service/apikeys/00000000-0000-4000-8000-000000000000', { token: await admin(), body });
    expect(missing.status).toBe(404);
    const self = await rest(t.url, 'POST', `/api/service/apikeys/${created.id}`, { token: created.attributes.accessToken, body: { ...body, personaQualifiedNames: ['default/readers'] } });
    expect(self.status).toBe(403);
    expect(await personasOf(created.id)).toEqual([]);
  });

  test('two concurrent complete-set updates leave exactly one of the two sets, never a mix', async () => {
    const created = await createApiToken(t.url, await admin(), 'raced', { personaQualifiedNames: ['default/finance'] });
    const setA = ['default/readers', 'default/stewards'];
    const setB = ['default/finance'];
    const bearer = await admin();
    const update = (description: string, personaQualifiedNames: string[]) =>
      rest(t.url, 'POST', `/api/service/apikeys/${created.id}`, { token: bearer, body: { displayName: 'raced', description, personas: [], personaQualifiedNames } });
    const seen = new Set<string>();
    for (let round = 0; round < 10; round++) {
      const [a, b] = await Promise.all([update('A', setA), update('B', setB)]);
      expect([a.status, b.status]).toEqual([200, 200]);
      const account = expectOk(await graphql(t.url, ACCOUNT, { id: created.id }, OPERATOR_TOKEN)).serviceAccount;
      const held = account.personas.map((p: { qualifiedName: string }) => p.qualifiedName);
      // The description and the set come from the same (last) update.
      expect(account.description === 'A' ? setA : setB).toEqual(held);
      seen.add(account.description);
    }
    expect([...seen].every((d) => d === 'A' || d === 'B')).toBe(true);
  });
});

describe('delete', () => {
  test('by GUID: irreversible, and the token stops authenticating at once', async () => {
    const created = await createApiToken(t.url, await admin(), 'doomed');
    const value = created.attributes.accessToken;
    expect(expectOk(await graphql(t.url, VIEWER, {}, value)).viewer.name).toBe('doomed');
    const deleted = await rest(t.url, 'DELETE', `/api/service/apikeys/${created.id}`, { token: await admin() });
    expect(deleted.status).toBe(200);
    expect(codes(await graphql(t.url, VIEWER, {}, value))).toEqual(['UNAUTHENTICATED']);
    expect((await rest(t.url, 'POST', '/api/atlan/connections', { token: value, body: { name: 'x' } })).status).toBe(401);
    expect((await rest(t.url, 'GET', filterQuery({ id: created.id }), { token: await admin() })).body.filterRecord).toBe(0);
    expect((await rest(t.url, 'DELETE', `/api/service/apikeys/${created.id}`, { token: await admin() })).status).toBe(404);
    expect(expectOk(await graphql(t.url, ACCOUNT, { id: created.id }, OPERATOR_TOKEN)).serviceAccount).toBeNull();
    // Its name is free again; the new token is a different actor with a different value.
    const reborn = await createApiToken(t.url, await admin(), 'doomed');
    expect(reborn.id).not.toBe(created.id);
    expect(codes(await graphql(t.url, VIEWER, {}, value))).toEqual(['UNAUTHENTICATED']);
  });

  test('a client id where the GUID belongs is refused, saying which is which', async () => {
    const created = await createApiToken(t.url, await admin(), 'not-by-client-id');
    for (const wrong of [created.clientId, `service-account-${created.clientId}`]) {
      const response = await rest(t.url, 'DELETE', `/api/service/apikeys/${wrong}`, { token: await admin() });
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(`"${wrong}" is the API token's client ID`);
      expect(response.body.message).toContain('GUID');
      expect(response.body.message).toContain(`filter={"clientId":"${created.clientId}"}`);
    }
    const junk = await rest(t.url, 'DELETE', '/api/service/apikeys/not-a-guid', { token: await admin() });
    expect(junk.status).toBe(400);
    expect(junk.body.message).toMatch(/not an API token GUID/);
    expect(expectOk(await graphql(t.url, VIEWER, {}, created.attributes.accessToken)).viewer.name).toBe('not-by-client-id');
  });

  test('over GraphQL: deleteServiceAccount revokes the value at once; a member may not delete', async () => {
    const created = expectOk(await graphql(t.url, CREATE, { input: { provider: 'ATLAN', displayName: 'gql-doomed' } }, await admin())).createServiceAccount;
    const memberId = await createUser(t.url, 'mia', '$member');
    const member = (await bearerFor(t.url, memberId)).secret;
    const DELETE = `mutation($id: ID!) { deleteServiceAccount(id: $id) { deletedServiceAccountId revokedTokenCount } }`;
    expect(codes(await graphql(t.url, DELETE, { id: created.serviceAccount.id }, member))).toEqual(['FORBIDDEN']);
    expect(expectOk(await graphql(t.url, VIEWER, {}, created.secret)).viewer.name).toBe('gql-doomed');
    const deleted = expectOk(await graphql(t.url, DELETE, { id: created.serviceAccount.id }, await admin())).deleteServiceAccount;
    expect(deleted).toEqual({ deletedServiceAccountId: created.serviceAccount.id, revokedTokenCount: 1 });
    expect(codes(await graphql(t.url, VIEWER, {}, created.secret))).toEqual(['UNAUTHENTICATED']);
  });
});

test('show-once: the value is in the create response only, on both faces; no table and no log line holds it', async () => {
  const viaRest = await createApiToken(t.url, await admin(), 'shown-once-rest', { personaQualifiedNames: ['default/readers'] });
  const viaGraphql = expectOk(await graphql(t.url, CREATE, { input: { provider: 'ATLAN', displayName: 'shown-once-gql' } }, await admin())).createServiceAccount;
  const values = [viaRest.attributes.accessToken as string, viaGraphql.secret as string];
  const ids = [viaRest.id, viaGraphql.serviceAccount.id];
  // Use them, so that last-use bookkeeping and audit rows exist too.
  for (const value of values) expectOk(await graphql(t.url, VIEWER, {}, value));
  const bearer = await admin();
  const responses: string[] = [];
  for (const id of ids) {
    responses.push((await rest(t.url, 'GET', filterQuery({ id }), { token: bearer })).raw);
    responses.push((await graphql(t.url, `query($id: ID!) { serviceAccount(id: $id) { id name clientId username description accessTokens { id kind status } } node(id: $id) { id } }`, { id }, bearer)).raw);
    responses.push((await rest(t.url, 'POST', `/api/service/apikeys/${id}`, { token: bearer, body: { displayName: id === ids[0] ? 'shown-once-rest' : 'shown-once-gql', description: 'touched', personas: [], personaQualifiedNames: [] } })).raw);
  }
  responses.push((await rest(t.url, 'GET', '/api/service/apikeys?limit=1000', { token: bearer })).raw);
  responses.push((await graphql(t.url, `{ serviceAccounts(provider: ATLAN, first: 100) { nodes { id name clientId username accessTokens { id } } } }`, {}, bearer)).raw);
  const stored = await allStoredText(t);
  expect(stored).toContain(viaRest.clientId);
  for (const value of values) {
    expect(value).toMatch(/^kgat_/);
    for (const raw of responses) expect(raw).not.toContain(value);
    expect(stored).not.toContain(value);
    expect(t.logs.join('\n')).not.toContain(value);
  }
});

test('whoami and users/current: the calling token or user; 401 without a credential, 400 for the operator (no Atlan caller)', async () => {
  const created = await createApiToken(t.url, await admin(), 'asks-who');
  const whoami = await rest(t.url, 'GET', '/api/service/whoami', { token: created.attributes.accessToken });
  expect(whoami.status).toBe(200);
  expect(whoami.body).toMatchObject({ id: created.id, username: `service-account-${created.clientId}`, roles: [{ name: '$api-token-default-access' }] });
  expect(whoami.raw).not.toContain(created.attributes.accessToken);
  expect((await rest(t.url, 'GET', '/api/service/users/current', { token: await admin() })).body).toMatchObject({ username: 'ada', enabled: true });
  for (const path of ['/api/service/whoami', '/api/service/users/current']) {
    expect((await rest(t.url, 'GET', path)).status).toBe(401);
    const operator = await rest(t.url, 'GET', path, { token: OPERATOR_TOKEN });
    expect(operator.status).toBe(400);
    expect(operator.body).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/Atlan API token/) });
  }
});
