import { expectOk, graphql } from './graphql';
import { OPERATOR_TOKEN } from './gateway';

/** Creates an example-provider account and returns it with a bearer token of its own. */
export async function exampleAccountWithToken(url: string, name: string, role = 'MEMBER', extra: Record<string, unknown> = {}) {
  const created = expectOk(
    await graphql(url, `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { serviceAccount { id name role } secret } }`, { input: { provider: 'EXAMPLE', name, role, ...extra } }, OPERATOR_TOKEN),
  ).createServiceAccount;
  const refresh = expectOk(
    await graphql(url, `mutation($input: CreateRefreshTokenInput!) { createRefreshToken(input: $input) { refreshToken { id status } secret } }`, { input: { serviceAccountId: created.serviceAccount.id, name: 'main' } }, OPERATOR_TOKEN),
  ).createRefreshToken;
  const access = expectOk(
    await graphql(url, `mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { accessToken { id status } secret } }`, { input: { refreshTokenId: refresh.refreshToken.id } }, OPERATOR_TOKEN),
  ).createAccessToken;
  return {
    id: created.serviceAccount.id as string,
    accountSecret: created.secret as string,
    refreshTokenId: refresh.refreshToken.id as string,
    refreshSecret: refresh.secret as string,
    accessTokenId: access.accessToken.id as string,
    token: access.secret as string,
  };
}
