import { OPERATOR_TOKEN, type TestGateway } from '../../support/gateway';
import { graphql } from '../../support/graphql';
import { bearerFor, createApiToken, createPersona, createUser, rest, startAtlanGateway } from './atlan-support';

/**
 * Every Atlan action × the five kinds of caller: allowed (2xx, no errors) or refused
 * (403 on REST, FORBIDDEN on GraphQL). Nothing else is an acceptable outcome.
 */
type Caller = 'adminUser' | 'memberUser' | 'tokenWithPersonas' | 'tokenWithoutPersonas' | 'connectionAdminToken';
const CALLERS: Caller[] = ['adminUser', 'memberUser', 'tokenWithPersonas', 'tokenWithoutPersonas', 'connectionAdminToken'];

let t: TestGateway;
const bearer = {} as Record<Caller, string>;
let connectionGuid: string;
let collectionGuid: string;
let target: { id: string; clientId: string };
let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;

beforeAll(async () => {
  t = await startAtlanGateway();
  bearer.adminUser = (await bearerFor(t.url, await createUser(t.url, 'matrix-admin', '$admin'))).secret;
  bearer.memberUser = (await bearerFor(t.url, await createUser(t.url, 'matrix-member', '$member'))).secret;
  // The admin user owns connection C and collection K.
  connectionGuid = (await rest(t.url, 'POST', '/api/atlan/connections', { token: bearer.adminUser, body: { name: 'C', qualifiedName: 'default/matrix/c' } })).body.guid;
  collectionGuid = (await rest(t.url, 'POST', '/api/atlan/collections', { token: bearer.adminUser, body: { name: 'K', qualifiedName: 'matrix-admin/k' } })).body.guid;
  await createPersona(t.url, 'Matrix readers', 'persona/matrix-readers', [
    { action: 'connection.read', resource: 'default/matrix/c' },
    { action: 'collection.read', resource: 'matrix-admin/k' },
  ]);
  bearer.tokenWithPersonas = (await createApiToken(t.url, bearer.adminUser, 'with-personas', { personaQualifiedNames: ['persona/matrix-readers'] })).attributes.accessToken;
  bearer.tokenWithoutPersonas = (await createApiToken(t.url, bearer.adminUser, 'without-personas')).attributes.accessToken;
  const connectionAdmin = await createApiToken(t.url, bearer.adminUser, 'connection-admin');
  bearer.connectionAdminToken = connectionAdmin.attributes.accessToken;
  const made = await rest(t.url, 'POST', `/api/atlan/connections/${connectionGuid}/admins`, { token: bearer.adminUser, body: { apiToken: bearer.connectionAdminToken } });
  if (made.status !== 200) throw new Error(made.raw);
  target = await createApiToken(t.url, bearer.adminUser, 'grant-target');
});
afterAll(() => t.close());

type Outcome = 'allowed' | 'forbidden' | string;
const viaRest = async (method: string, path: string, token: string, body?: unknown): Promise<Outcome> => {
  const response = await rest(t.url, method, path, { token, body });
  if (response.status >= 200 && response.status < 300) return 'allowed';
  return response.status === 403 ? 'forbidden' : `${response.status} ${response.raw}`;
};
const viaGraphql = async (query: string, variables: Record<string, unknown>, token: string): Promise<Outcome> => {
  const response = await graphql(t.url, query, variables, token);
  if (!response.errors?.length) return 'allowed';
  const codes = response.errors.map((e) => e.extensions?.code);
  return codes.every((c) => c === 'FORBIDDEN') ? 'forbidden' : JSON.stringify(response.errors);
};
const tokenBody = (displayName: string) => ({ displayName, description: '', personas: [], personaQualifiedNames: [] });

const ACTIONS: Record<string, (token: string) => Promise<Outcome>> = {
  'REST create API token': (token) => viaRest('POST', '/api/service/apikeys', token, { ...tokenBody(unique('made')), validitySeconds: 3600 }),
  'REST list API tokens': (token) => viaRest('GET', '/api/service/apikeys?limit=5', token),
  'REST update API token': (token) => viaRest('POST', `/api/service/apikeys/${target.id}`, token, tokenBody('grant-target')),
  'REST delete API token': async (token) => {
    const victim = await createApiToken(t.url, bearer.adminUser, unique('victim'));
    return viaRest('DELETE', `/api/service/apikeys/${victim.id}`, token);
  },
  'create connection': (token) => viaRest('POST', '/api/atlan/connections', token, { name: unique('conn') }),
  'read connection C': (token) => viaRest('GET', `/api/atlan/connections/${connectionGuid}`, token),
  "manage connection C's policies": (token) => viaRest('GET', `/api/atlan/connections/${connectionGuid}/policies`, token),
  'add a token as admin of connection C': (token) => viaRest('POST', `/api/atlan/connections/${connectionGuid}/admins`, token, { clientId: target.clientId }),
  'create collection': (token) => viaRest('POST', '/api/atlan/collections', token, { name: unique('coll') }),
  'read collection K': (token) => viaRest('GET', `/api/atlan/collections/${collectionGuid}`, token),
  'edit collection K': (token) => viaRest('PATCH', `/api/atlan/collections/${collectionGuid}`, token, { name: 'K' }),
  'add a token as editor of collection K': (token) => viaRest('POST', `/api/atlan/collections/${collectionGuid}/editors`, token, { clientId: target.clientId }),
  'add a token as viewer of collection K': (token) => viaRest('POST', `/api/atlan/collections/${collectionGuid}/viewers`, token, { clientId: target.clientId }),
  'GraphQL createServiceAccount (API token)': (token) =>
    viaGraphql(`mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { serviceAccount { id } } }`, { input: { provider: 'ATLAN', displayName: unique('gql') } }, token),
  'GraphQL serviceAccounts(provider: ATLAN)': (token) => viaGraphql(`{ serviceAccounts(provider: ATLAN) { totalCount } }`, {}, token),
  'GraphQL createPersona': (token) =>
    viaGraphql(`mutation($input: CreatePersonaInput!) { createPersona(input: $input) { id } }`, { input: { provider: 'ATLAN', name: unique('persona') } }, token),
};

const Y = 'allowed';
const N = 'forbidden';
//                                              admin user  member user  token+personas  token-personas  connection-admin token
const EXPECTED: Record<keyof typeof ACTIONS, Outcome[]> = {
  'REST create API token': /*                   */ [Y, N, N, N, N],
  'REST list API tokens': /*                    */ [Y, N, N, N, N],
  'REST update API token': /*                   */ [Y, N, N, N, N],
  'REST delete API token': /*                   */ [Y, N, N, N, N],
  'create connection': /*                       */ [Y, N, Y, Y, Y],
  'read connection C': /*                       */ [Y, N, Y, N, Y],
  "manage connection C's policies": /*          */ [Y, N, N, N, Y],
  'add a token as admin of connection C': /*    */ [Y, N, N, N, N],
  'create collection': /*                       */ [Y, Y, Y, Y, Y],
  'read collection K': /*                       */ [Y, N, Y, N, N],
  'edit collection K': /*                       */ [Y, N, N, N, N],
  'add a token as editor of collection K': /*   */ [Y, N, N, N, N],
  'add a token as viewer of collection K': /*   */ [Y, N, N, N, N],
  'GraphQL createServiceAccount (API token)': /**/ [Y, N, N, N, N],
  'GraphQL serviceAccounts(provider: ATLAN)': /**/ [Y, N, N, N, N],
  'GraphQL createPersona': /*                   */ [Y, N, N, N, N],
};

const rows = Object.keys(ACTIONS).flatMap((action) => CALLERS.map((caller, i) => [action, caller, EXPECTED[action][i]] as const));

test.each(rows)('%s by %s: %s', async (action, caller, expected) => {
  expect(await ACTIONS[action](bearer[caller])).toBe(expected);
});

test('the operator may do every action', async () => {
  for (const action of Object.keys(ACTIONS)) expect(await ACTIONS[action](OPERATOR_TOKEN)).toBe('allowed');
});
