import { createTalendProvider } from '../../../src/plugins/talend/talend.provider';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../../support/gateway';
import { expectOk, graphql } from '../../support/graphql';
import type { GatewayConfig } from '../../../src/config';
import { rest as sharedRest, type RestResponse as SharedRestResponse } from '../../support/rest';

export { OPERATOR_TOKEN };

/** A gateway running the Talend provider alone (the vendors' plugins are independent). */
export function startTalendGateway(config: Partial<GatewayConfig> = {}): Promise<TestGateway> {
  return startTestGateway({ providers: [createTalendProvider], config });
}

export type RestResponse = SharedRestResponse & { text: string };

/** A REST call the way a Talend script sends it (the shared helper, addressed by gateway). */
export async function rest(
  t: TestGateway,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; contentType?: string; headers?: Record<string, string> } = {},
): Promise<RestResponse> {
  const response = await sharedRest(t.url, method, path, options);
  return { ...response, text: response.raw };
}

export const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** `POST /security/oauth/token` with an id:secret pair. */
export function exchange(t: TestGateway, id: string, secret: string, body: Record<string, unknown> = { audience: 'https://api.talend.io', grant_type: 'client_credentials' }) {
  return rest(t, 'POST', '/security/oauth/token', { headers: { authorization: basic(id, secret) }, body });
}

const CREATE_ACCOUNT = `mutation($input: CreateServiceAccountInput!) {
  createServiceAccount(input: $input) { serviceAccount { id clientId kind name permissions { id name } } secret }
}`;
const CREATE_TOKEN = `mutation($input: CreateAccessTokenInput!) {
  createAccessToken(input: $input) { accessToken { id kind name status createdAt lastUsedAt expiresAt } secret }
}`;

export async function createUser(t: TestGateway, name: string, permissions: string[], token = OPERATOR_TOKEN): Promise<string> {
  const created = expectOk(await graphql(t.url, CREATE_ACCOUNT, { input: { provider: 'TALEND', user: name, permissions } }, token)).createServiceAccount;
  return created.serviceAccount.id;
}

export function createPersonalTokenGql(t: TestGateway, input: Record<string, unknown>, token = OPERATOR_TOKEN) {
  return graphql(t.url, CREATE_TOKEN, { input }, token);
}

/** A Talend user with the given permissions and one personal access token. */
export async function userWithToken(t: TestGateway, name: string, permissions: string[]) {
  const id = await createUser(t, name, permissions);
  const issued = expectOk(await createPersonalTokenGql(t, { serviceAccountId: id, name: `${name}-pat` })).createAccessToken;
  return { id, token: issued.secret as string, tokenId: issued.accessToken.id as string };
}

export function createServiceAccountGql(t: TestGateway, name: string, permissions: string[], token = OPERATOR_TOKEN) {
  return graphql(t.url, CREATE_ACCOUNT, { input: { provider: 'TALEND', name, permissions } }, token);
}

/** A Talend service account with the given permissions and a token exchanged for its id:secret. */
export async function serviceAccountWithToken(t: TestGateway, name: string, permissions: string[]) {
  const created = expectOk(await createServiceAccountGql(t, name, permissions)).createServiceAccount;
  const token = await exchange(t, created.serviceAccount.clientId, created.secret);
  if (token.status !== 200) throw new Error(`exchange failed: ${token.text}`);
  return { id: created.serviceAccount.id as string, secret: created.secret as string, token: token.body.access_token as string };
}

/** Every text-like column of every table that holds `value` anywhere: show-once means none. */
export async function columnsHolding(t: TestGateway, value: string): Promise<string[]> {
  const columns: { table_name: string; column_name: string }[] = await t.gateway.db.dataSource.query(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')`,
  );
  if (columns.length === 0) throw new Error('no text columns found');
  const hits: string[] = [];
  for (const { table_name, column_name } of columns) {
    const [row] = await t.gateway.db.dataSource.query(
      `SELECT count(*)::int AS n FROM "${table_name}" WHERE strpos("${column_name}"::text, $1) > 0`,
      [value],
    );
    if (Number(row.n) > 0) hits.push(`${table_name}.${column_name}`);
  }
  return hits;
}

export const ALL_PERMISSIONS = [
  'AUDIT_LOGS_VIEW',
  'TMC_ENGINE_USE',
  'TMC_GROUP_MANAGEMENT',
  'TMC_ROLE_MANAGEMENT',
  'TMC_SERVICE_ACCOUNT_MANAGEMENT',
  'TMC_USER_MANAGEMENT',
];
