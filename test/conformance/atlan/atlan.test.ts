import type { TestGateway } from '../../support/gateway';
import { bearerFor, createPersona, createUser, startAtlanGateway } from '../../plugins/atlan/atlan-support';
import type { Json } from '../support/model';
import { ATLAN_SDKS, pyatlanApiToken, pyatlanApiTokenResponse, pyatlanIsApiTokenUser, pyatlanUserMinimal, type ParsedApiToken } from './atlan-models';
import { GoAtlan, JavaAtlan, PyAtlan } from './atlan-sdks';

/**
 * pyatlan's TokenClient and UserClient calls, atlan-java's ApiTokensEndpoint and atlan-go's
 * TokenClient, each sending what the SDK sends and reading the answer with the SDK's own model
 * rules (see atlan-models.ts). README.md in this folder lists what is covered and what is not.
 */
let t: TestGateway;
let admin: string;
let py: PyAtlan;
const persona = { qualifiedName: 'default/conformance/analysts', name: 'Analysts' };

beforeAll(async () => {
  t = await startAtlanGateway();
  const adminId = await createUser(t.url, 'conformance-admin', '$admin');
  admin = (await bearerFor(t.url, adminId)).secret;
  py = new PyAtlan(t.url, admin);
  await createPersona(t.url, persona.name, persona.qualifiedName);
}, 180_000);
afterAll(() => t.close());

/** Every SDK parses the record, and they agree on what it says. */
function parsedByAll(record: Json): ParsedApiToken {
  const [first, ...others] = ATLAN_SDKS.map(({ record: parse }) => parse(record));
  for (const other of others) {
    expect(other.guid).toBe(first.guid);
    expect(other.clientId).toBe(first.clientId);
    expect(other.displayName).toBe(first.displayName);
    expect(other.attributes?.createdAt).toBe(first.attributes?.createdAt);
    expect(other.attributes?.accessTokenLifespan).toBe(first.attributes?.accessTokenLifespan);
    expect(other.attributes?.personaQualifiedName.map((p) => p.personaQualifiedName)).toEqual(first.attributes?.personaQualifiedName.map((p) => p.personaQualifiedName));
  }
  return first;
}

function listParsedByAll(body: Json) {
  for (const { list } of ATLAN_SDKS) list(body);
  return pyatlanApiTokenResponse(body);
}

describe('pyatlan TokenClient', () => {
  let created: ParsedApiToken;

  test('create(display_name, personas={qn}): the one-time secret arrives in attributes.access_token', async () => {
    const raw = (await py.tokenCreate('py-loader', { description: 'nightly load', personas: [persona.qualifiedName] })) as Json;
    created = pyatlanApiToken(raw);
    expect(created.attributes?.accessToken).toMatch(/^kgat_/);
    expect(created.username).toBe(`service-account-${created.clientId}`);
    expect(created.attributes?.accessTokenLifespan).toBe(157680000);
    expect(created.attributes?.personaQualifiedName.map((p) => p.personaQualifiedName)).toEqual([persona.qualifiedName]);
    parsedByAll(raw);
  });

  test('get(): count=True&offset=0, every record parses', async () => {
    const response = listParsedByAll((await py.tokenGet()) as Json);
    expect(response.totalRecord).toBeGreaterThanOrEqual(1);
    expect(response.records?.map((r) => r.guid)).toContain(created.guid);
  });

  test('get(limit, post_filter, sort, count=False, offset)', async () => {
    const response = pyatlanApiTokenResponse((await py.tokenGet({ limit: 1, postFilter: '{"displayName":"py-loader"}', sort: '-createdAt', count: false, offset: 0 })) as Json);
    expect(response.records).toHaveLength(1);
  });

  test('get_by_name, get_by_id (with and without service-account-), get_by_guid find the token', async () => {
    for (const raw of [
      await py.tokenGetByName('py-loader'),
      await py.tokenGetById(created.clientId!),
      await py.tokenGetById(created.username!),
      await py.tokenGetByGuid(created.guid!),
    ]) {
      const records = listParsedByAll(raw as Json).records!;
      expect(records[0].guid).toBe(created.guid);
      expect(records[0].attributes?.personaQualifiedName.map((p) => p.personaQualifiedName)).toEqual([persona.qualifiedName]);
      // Never the secret again.
      expect(records[0].attributes?.accessToken).toBeNull();
    }
  });

  test('get_by_name for a name nobody has: no record (None)', async () => {
    const response = pyatlanApiTokenResponse((await py.tokenGetByName('nobody-has-this')) as Json);
    expect(response.records ?? []).toHaveLength(0);
  });

  test('update(guid, name, description, personas) replaces the set; without personas it unlinks all', async () => {
    const renamed = parsedByAll((await py.tokenUpdate(created.guid!, 'py-loader-2', { description: 'renamed', personas: [persona.qualifiedName] })) as Json);
    expect(renamed.displayName).toBe('py-loader-2');
    expect(renamed.attributes?.description).toBe('renamed');
    const bare = parsedByAll((await py.tokenUpdate(created.guid!, 'py-loader-2')) as Json);
    expect(bare.attributes?.personaQualifiedName).toEqual([]);
    expect(bare.attributes?.accessToken).toBeNull();
  });

  test('the created token is an API key of its own: UserClient.get_current() and whoami', async () => {
    const asToken = new PyAtlan(t.url, created.attributes!.accessToken!);
    const current = pyatlanUserMinimal((await asToken.userGetCurrent()) as Json);
    expect(current.username).toBe(created.username);
    expect(pyatlanIsApiTokenUser((await asToken.whoami()) as Json)).toBe(true);
  });

  test('a user: get_current() names the user; whoami says $admin (is_api_token_user is True for admins, as pyatlan reads it)', async () => {
    const current = pyatlanUserMinimal((await py.userGetCurrent()) as Json);
    expect(current.username).toBe('conformance-admin');
    expect(pyatlanIsApiTokenUser((await py.whoami()) as Json)).toBe(true);
    const memberId = await createUser(t.url, 'conformance-member', '$member');
    const member = new PyAtlan(t.url, (await bearerFor(t.url, memberId)).secret);
    expect(pyatlanIsApiTokenUser((await member.whoami()) as Json)).toBe(false);
  });

  test('purge(guid): 200; the token stops authenticating and is no longer found', async () => {
    await py.tokenPurge(created.guid!);
    const asToken = new PyAtlan(t.url, created.attributes!.accessToken!);
    await expect(asToken.userGetCurrent()).rejects.toMatchObject({ response: { status: 401 } });
    expect(pyatlanApiTokenResponse((await py.tokenGetByGuid(created.guid!)) as Json).records ?? []).toHaveLength(0);
  });
});

describe('atlan-java ApiTokensEndpoint', () => {
  test('create, list (filter raw in the query, no count), get by name / client id / guid, update, purge', async () => {
    const java = new JavaAtlan(t.url, admin);
    const created = parsedByAll((await java.create('java-loader', null, [persona.qualifiedName], -1)) as Json);
    expect(created.attributes?.accessToken).toMatch(/^kgat_/);
    listParsedByAll((await java.list(null, '-createdAt', 0, 20)) as Json);
    for (const raw of [await java.getBy('displayName', 'java-loader'), await java.getBy('clientId', `service-account-${created.clientId}`), await java.getBy('id', created.guid!)])
      expect(listParsedByAll(raw as Json).records![0].guid).toBe(created.guid);
    const updated = parsedByAll((await java.update(created.guid!, 'java-loader-2', 'x', [])) as Json);
    expect(updated.attributes?.personaQualifiedName).toEqual([]);
    await java.purge(created.guid!);
  });
});

describe('atlan-go TokenClient', () => {
  test('Create (description " ", nil validity), Get (count=true, keys sorted), GetByName, GetByGUID, Update without a description, Purge', async () => {
    const go = new GoAtlan(t.url, admin);
    const created = parsedByAll((await go.create('go-loader', null, [persona.qualifiedName], null)) as Json);
    expect(created.attributes?.accessToken).toMatch(/^kgat_/);
    listParsedByAll((await go.get(null, null, null, true, 0)) as Json);
    expect(listParsedByAll((await go.getByName('go-loader')) as Json).records![0].guid).toBe(created.guid);
    expect(listParsedByAll((await go.getByGuid(created.guid!)) as Json).records![0].guid).toBe(created.guid);
    const updated = parsedByAll((await go.update(created.guid!, 'go-loader-2', null, null)) as Json);
    expect(updated.displayName).toBe('go-loader-2');
    await go.purge(created.guid!);
  });
});
