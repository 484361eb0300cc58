import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  CreatePrincipalDocument,
  CreateTokenDocument,
  DeletePrincipalDocument,
  ListPrincipalsDocument,
  PermissionsDocument,
  ReadPrincipalDocument,
  RegenerateClientSecretDocument,
  RevokeAllTokensDocument,
  RevokeClientTokensDocument,
  RevokeTokenDocument,
  UpdatePrincipalDocument,
} from '../generated/graphql';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { typed, type GraphQLResponse } from '../support/graphql';
import { rest, type RestResponse } from '../support/rest';
import { createOAuthClient, signedInUser } from './alation/alation-support';
import { bearerFor, createApiToken, createUser as createAtlanUser } from './atlan/atlan-support';
import { userWithToken } from './talend/talend-support';

/**
 * One path, two faces: every act a vendor's REST route and GraphQL both offer, asked by every
 * class of caller on both faces, must end the same way (allowed, or the same refusal). One row per
 * act × caller; each row runs the act once on each face, on targets made fresh for it.
 */
type Outcome = 'allowed' | 'unauthenticated' | 'forbidden' | 'bad_input' | 'not_found' | 'conflict' | string;

const byStatus: Record<number, Outcome> = { 400: 'bad_input', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 409: 'conflict' };
const restOutcome = (res: RestResponse): Outcome => (res.status < 300 ? 'allowed' : (byStatus[res.status] ?? `status ${res.status}: ${res.raw}`));
function gqlOutcome(res: GraphQLResponse): Outcome {
  if (!res.errors?.length && res.data) return 'allowed';
  const code = res.errors?.[0]?.extensions?.code ?? '';
  return code ? code.toLowerCase().replace('bad_user_input', 'bad_input') : `error: ${res.raw}`;
}

let t: TestGateway;
let n = 0;
const unique = (prefix: string) => `${prefix}-${++n}`;
const gql = <R, V extends Record<string, unknown>>(document: TypedDocumentNode<R, V>, variables: V) => async (token: string | undefined) => gqlOutcome(await typed(t.url, document, variables, token));
const call = (method: string, path: string, body?: unknown) => async (token: string | undefined) => restOutcome(await rest(t.url, method, path, { token, body }));

/** A face's way of asking an act, given fresh targets; `token` is the caller's credential. */
type Face = (token: string | undefined) => Promise<Outcome>;
interface Act {
  vendor: 'talend' | 'alation' | 'atlan';
  act: string;
  /** Makes what the act needs, once per face, and says how each face asks for it. */
  faces: () => Promise<{ graphql: Face; rest: Face }>;
}

const talendAccount = async () => {
  const created = await typed(t.url, CreatePrincipalDocument, { input: { provider: 'TALEND', name: unique('sa'), permissions: ['TMC_ENGINE_USE'] } }, OPERATOR_TOKEN);
  return created.data!.createServiceAccount.serviceAccount.id;
};
const talendUser = () => userWithToken(t, `${unique('user')}@example.com`, ['TMC_ENGINE_USE']);

const ACTS: Act[] = [
  { vendor: 'talend', act: 'list grantable permissions', faces: async () => ({ graphql: gql(PermissionsDocument, { provider: 'TALEND' }), rest: call('GET', '/account/service-accounts/permissions') }) },
  { vendor: 'talend', act: 'list service accounts', faces: async () => ({ graphql: gql(ListPrincipalsDocument, { provider: 'TALEND', kind: 'service_account' }), rest: call('GET', '/account/service-accounts') }) },
  { vendor: 'talend', act: 'list users', faces: async () => ({ graphql: gql(ListPrincipalsDocument, { provider: 'TALEND', kind: 'user' }), rest: call('GET', '/account/users') }) },
  {
    vendor: 'talend',
    act: 'read a service account',
    faces: async () => ({ graphql: gql(ReadPrincipalDocument, { id: await talendAccount() }), rest: call('GET', `/account/service-accounts/${await talendAccount()}`) }),
  },
  { vendor: 'talend', act: 'read a user', faces: async () => ({ graphql: gql(ReadPrincipalDocument, { id: (await talendUser()).id }), rest: call('GET', `/account/users/${(await talendUser()).id}`) }) },
  {
    vendor: 'talend',
    act: 'create a service account',
    faces: async () => ({
      graphql: gql(CreatePrincipalDocument, { input: { provider: 'TALEND', name: unique('made'), permissions: ['TMC_ENGINE_USE'] } }),
      rest: call('POST', '/account/service-accounts', { name: unique('made'), permissions: ['TMC_ENGINE_USE'] }),
    }),
  },
  {
    vendor: 'talend',
    act: 'update a service account',
    faces: async () => ({
      graphql: gql(UpdatePrincipalDocument, { id: await talendAccount(), input: { name: unique('renamed') } }),
      rest: call('PUT', `/account/service-accounts/${await talendAccount()}`, { name: unique('renamed') }),
    }),
  },
  {
    vendor: 'talend',
    act: 'delete a service account',
    faces: async () => ({ graphql: gql(DeletePrincipalDocument, { id: await talendAccount() }), rest: call('DELETE', `/account/service-accounts/${await talendAccount()}`) }),
  },
  {
    vendor: 'talend',
    act: "delete a user's personal token",
    faces: async () => {
      const [a, b] = [await talendUser(), await talendUser()];
      return { graphql: gql(RevokeTokenDocument, { id: a.tokenId }), rest: call('DELETE', `/account/users/${b.id}/personal-access-tokens/${b.tokenId}`) };
    },
  },
  {
    vendor: 'talend',
    act: "revoke all of a user's tokens",
    faces: async () => ({ graphql: gql(RevokeAllTokensDocument, { id: (await talendUser()).id }), rest: call('DELETE', `/account/users/${(await talendUser()).id}/personal-access-tokens`) }),
  },
  {
    vendor: 'talend',
    act: 'create an own personal token',
    faces: async () => ({ graphql: gql(CreateTokenDocument, { input: { name: unique('own') } }), rest: call('POST', '/account/personal-access-tokens', { name: unique('own') }) }),
  },

  {
    vendor: 'alation',
    act: "revoke all of a user's tokens",
    faces: async () => {
      const [a, b] = [await signedInUser(t.url, `${unique('victim')}@example.com`, 'VIEWER'), await signedInUser(t.url, `${unique('victim')}@example.com`, 'VIEWER')];
      return { graphql: gql(RevokeAllTokensDocument, { id: a.id }), rest: call('POST', '/keygate/alation/revokeUserTokens/', { user_id: b.userId }) };
    },
  },
  {
    vendor: 'alation',
    act: "regenerate an OAuth client's secret",
    faces: async () => ({
      graphql: gql(RegenerateClientSecretDocument, { clientId: (await createOAuthClient(t.url, 'VIEWER', { name: unique('client') })).clientId }),
      rest: call('POST', `/oauth/v2/clients/${(await createOAuthClient(t.url, 'VIEWER', { name: unique('client') })).clientId}/secret/`),
    }),
  },
  {
    vendor: 'alation',
    act: "revoke an OAuth client's tokens",
    faces: async () => ({
      graphql: gql(RevokeClientTokensDocument, { clientId: (await createOAuthClient(t.url, 'VIEWER', { name: unique('client') })).clientId }),
      rest: call('POST', `/oauth/v2/clients/${(await createOAuthClient(t.url, 'VIEWER', { name: unique('client') })).clientId}/revoke-tokens/`),
    }),
  },

  { vendor: 'atlan', act: 'list API tokens', faces: async () => ({ graphql: gql(ListPrincipalsDocument, { provider: 'ATLAN', kind: 'api_token' }), rest: call('GET', '/api/service/apikeys?limit=5') }) },
  {
    vendor: 'atlan',
    act: 'create an API token',
    faces: async () => ({
      graphql: gql(CreatePrincipalDocument, { input: { provider: 'ATLAN', displayName: unique('made'), description: '' } }),
      rest: call('POST', '/api/service/apikeys', { displayName: unique('made'), description: '', personas: [], personaQualifiedNames: [], validitySeconds: 3600 }),
    }),
  },
  {
    vendor: 'atlan',
    act: 'update an API token',
    faces: async () => {
      const [a, b] = [await createApiToken(t.url, atlanAdmin, unique('target')), await createApiToken(t.url, atlanAdmin, unique('target'))];
      return {
        graphql: gql(UpdatePrincipalDocument, { id: a.id, input: { displayName: unique('renamed'), description: '' } }),
        rest: call('POST', `/api/service/apikeys/${b.id}`, { displayName: unique('renamed'), description: '', personas: [], personaQualifiedNames: [] }),
      };
    },
  },
  {
    vendor: 'atlan',
    act: 'delete an API token',
    faces: async () => ({ graphql: gql(DeletePrincipalDocument, { id: (await createApiToken(t.url, atlanAdmin, unique('victim'))).id }), rest: call('DELETE', `/api/service/apikeys/${(await createApiToken(t.url, atlanAdmin, unique('victim'))).id}`) }),
  },
];

/** The classes of caller of each vendor; the operator and no credential at all ask every act. */
const CALLERS: Record<Act['vendor'], string[]> = {
  talend: ['usersManager', 'serviceAccountsManager', 'bothManager', 'plainUser', 'serviceAccount'],
  alation: ['serverAdmin', 'viewer', 'oauthClient'],
  atlan: ['adminUser', 'memberUser', 'apiToken'],
};
const tokens: Record<string, string | undefined> = { operator: OPERATOR_TOKEN, anonymous: undefined };
let atlanAdmin: string;

beforeAll(async () => {
  t = await startTestGateway();
  tokens.usersManager = (await userWithToken(t, 'users-manager@example.com', ['TMC_USER_MANAGEMENT', 'TMC_ENGINE_USE'])).token;
  tokens.serviceAccountsManager = (await userWithToken(t, 'sa-manager@example.com', ['TMC_SERVICE_ACCOUNT_MANAGEMENT', 'TMC_ENGINE_USE'])).token;
  tokens.bothManager = (await userWithToken(t, 'both-manager@example.com', ['TMC_USER_MANAGEMENT', 'TMC_SERVICE_ACCOUNT_MANAGEMENT', 'TMC_ENGINE_USE'])).token;
  tokens.plainUser = (await userWithToken(t, 'plain@example.com', ['TMC_ENGINE_USE'])).token;
  const sa = await typed(t.url, CreatePrincipalDocument, { input: { provider: 'TALEND', name: 'caller-sa', permissions: ['TMC_SERVICE_ACCOUNT_MANAGEMENT', 'TMC_ENGINE_USE'] } }, OPERATOR_TOKEN);
  const { clientId, } = sa.data!.createServiceAccount.serviceAccount;
  const exchanged = await rest(t.url, 'POST', '/security/oauth/token', {
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${sa.data!.createServiceAccount.secret}`).toString('base64')}` },
    body: { grant_type: 'client_credentials' },
  });
  tokens.serviceAccount = exchanged.body.access_token;
  tokens.serverAdmin = (await signedInUser(t.url, 'act-admin@example.com', 'SERVER_ADMIN')).token;
  tokens.viewer = (await signedInUser(t.url, 'act-viewer@example.com', 'VIEWER')).token;
  const client = await createOAuthClient(t.url, 'SERVER_ADMIN', { name: 'act-admin-client' });
  const issued = await rest(t.url, 'POST', '/oauth/v2/token/', {
    rawBody: 'grant_type=client_credentials',
    contentType: 'application/x-www-form-urlencoded',
    headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}` },
  });
  tokens.oauthClient = issued.body.access_token;
  tokens.adminUser = atlanAdmin = (await bearerFor(t.url, await createAtlanUser(t.url, 'act-admin', '$admin'))).secret;
  tokens.memberUser = (await bearerFor(t.url, await createAtlanUser(t.url, 'act-member', '$member'))).secret;
  tokens.apiToken = (await createApiToken(t.url, atlanAdmin, 'act-caller')).attributes.accessToken;
});
afterAll(() => t.close());

const rows = ACTS.flatMap((act) => [...CALLERS[act.vendor], 'operator', 'anonymous'].map((caller) => ({ ...act, caller })));

test.each(rows)('$vendor: $act, as $caller, ends the same on GraphQL and REST', async ({ faces, caller }) => {
  const { graphql, rest: viaRest } = await faces();
  const token = tokens[caller];
  const [onGraphql, onRest] = [await graphql(token), await viaRest(token)];
  expect({ graphql: onGraphql.split(':')[0] }).toEqual({ graphql: onRest.split(':')[0] });
});
