import { operatorGraphql } from '../support/processes';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
export const FORM = 'application/x-www-form-urlencoded';
export const JSON_TYPE = 'application/json';

/** An Alation OAuth client: its `Authorization: Basic` value. */
export async function alationClient(url: string, name = 'bench-client'): Promise<{ authorization: string }> {
  const data = await operatorGraphql(url, 'mutation($input: CreateOAuthClientInput!) { createOAuthClient(input: $input) { client { clientId } clientSecret } }', {
    input: { name, accessTokenLifetimeSeconds: 3600, role: 'VIEWER' },
  });
  return { authorization: basic(data.createOAuthClient.client.clientId, data.createOAuthClient.clientSecret) };
}

/** A Talend service account: its `Authorization: Basic id:secret` for the token exchange. */
export async function talendServiceAccount(url: string, name = 'bench-sa'): Promise<{ authorization: string }> {
  const data = await operatorGraphql(url, 'mutation($name: String!) { createServiceAccount(input: { provider: TALEND, name: $name, permissions: [] }) { serviceAccount { id } secret } }', { name });
  return { authorization: basic(data.createServiceAccount.serviceAccount.id, data.createServiceAccount.secret) };
}

/** An Alation user with a refresh token and an API access token (the operator stands in for the UI). */
export async function alationUser(url: string, user = 'bench-user'): Promise<{ userId: number; accessToken: string }> {
  const created = await operatorGraphql(url, 'mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { serviceAccount { id userId } } }', {
    input: { provider: 'ALATION', user, email: `${user}@example.com`, role: 'VIEWER' },
  });
  const account = created.createServiceAccount.serviceAccount;
  const refresh = await operatorGraphql(url, 'mutation($input: CreateRefreshTokenInput!) { createRefreshToken(input: $input) { refreshToken { id } } }', { input: { serviceAccountId: account.id, name: 'bench' } });
  const access = await operatorGraphql(url, 'mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { secret } }', { input: { refreshTokenId: refresh.createRefreshToken.refreshToken.id } });
  return { userId: Number(account.userId), accessToken: access.createAccessToken.secret };
}

export { basic };
