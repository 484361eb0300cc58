import { createAtlanProvider } from '../../../src/plugins/atlan/atlan.provider';
import { startTestGateway, OPERATOR_TOKEN, type TestGateway, type TestGatewayOptions } from '../../support/gateway';
import { expectOk, graphql } from '../../support/graphql';
import { rest as sharedRest } from '../../support/rest';

/** One gateway per file, running the Atlan provider alone. */
export function startAtlanGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  return startTestGateway({ providers: [createAtlanProvider], ...options });
}

export type { RestResponse } from '../../support/rest';

/** A REST call the way an Atlan script sends it: JSON, `Authorization: Bearer …` (the shared helper). */
export function rest(url: string, method: string, path: string, options: { token?: string; body?: unknown; rawBody?: string; contentType?: string } = {}) {
  return sharedRest(url, method, path, options);
}

export const filterQuery = (filter: Record<string, unknown>, extra = '') =>
  `/api/service/apikeys?limit=2&offset=0&sort=-createdAt&filter=${encodeURIComponent(JSON.stringify(filter))}${extra}`;

/** An Atlan user, created by the operator over GraphQL. */
export async function createUser(url: string, user: string, role: string): Promise<string> {
  const created = expectOk(
    await graphql(
      url,
      `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { serviceAccount { id kind role } secret } }`,
      { input: { provider: 'ATLAN', user, role } },
      OPERATOR_TOKEN,
    ),
  ).createServiceAccount;
  return created.serviceAccount.id;
}

/** A fresh bearer token for a user (the operator stands in for the user's login). */
export async function bearerFor(url: string, userId: string): Promise<{ id: string; secret: string; expiresAt: string | null; createdAt: string }> {
  const issued = expectOk(
    await graphql(
      url,
      `mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { accessToken { id kind status createdAt expiresAt } secret } }`,
      { input: { serviceAccountId: userId } },
      OPERATOR_TOKEN,
    ),
  ).createAccessToken;
  return { id: issued.accessToken.id, secret: issued.secret, expiresAt: issued.accessToken.expiresAt, createdAt: issued.accessToken.createdAt };
}

export async function createPersona(url: string, name: string, qualifiedName: string, policies: { action: string; resource: string }[] = []) {
  return expectOk(
    await graphql(
      url,
      `mutation($input: CreatePersonaInput!) { createPersona(input: $input) { id qualifiedName name } }`,
      { input: { provider: 'ATLAN', name, qualifiedName, policies } },
      OPERATOR_TOKEN,
    ),
  ).createPersona as { id: string; qualifiedName: string; name: string };
}

/** Creates an API token over REST with the vendor's body; returns the create response's record. */
export async function createApiToken(
  url: string,
  bearer: string,
  displayName: string,
  options: { description?: string; personaQualifiedNames?: string[]; validitySeconds?: number } = {},
) {
  const response = await rest(url, 'POST', '/api/service/apikeys', {
    token: bearer,
    body: {
      displayName,
      description: options.description ?? '',
      personas: [],
      personaQualifiedNames: options.personaQualifiedNames ?? [],
      validitySeconds: options.validitySeconds ?? 157680000,
    },
  });
  if (response.status !== 200) throw new Error(`create API token: ${response.status} ${response.raw}`);
  return response.body as { id: string; clientId: string; displayName: string; attributes: Record<string, any> };
}

export const VIEWER = `{ viewer { isOperator name kind role provider serviceAccount { id clientId username } } }`;
