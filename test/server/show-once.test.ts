import { exampleAccountWithToken } from '../support/example-flow';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { expectOk, graphql } from '../support/graphql';
import { allStoredText } from '../support/secret-scan';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const EVERYTHING = `query($id: ID!) {
  serviceAccount(id: $id) {
    id provider kind name displayName email title role description clientId username userId createdAt createdBy lastUsedAt
    permissions { id name provider }
    personas { id qualifiedName name policies { action resource } }
    refreshTokens { id name status createdAt expiresAt lastUsedAt revokedAt owner { id name } accessToken { id kind status } }
    accessTokens { id kind name status createdAt expiresAt lastUsedAt revokedAt owner { id } refreshToken { id name } }
  }
  serviceAccounts(first: 100) { totalCount edges { cursor node { id name refreshTokens { id } accessTokens { id } } } }
  viewer { name isOperator permissions }
}`;

test('each secret appears in exactly one response, and nowhere in storage or logs', async () => {
  const responses: string[] = [];
  const record = async (...args: Parameters<typeof graphql>) => {
    const response = await graphql(...args);
    responses.push(response.raw);
    return response;
  };

  const account = await exampleAccountWithToken(t.url, 'show-once', 'MEMBER', { permissions: ['EXAMPLE_READ'] });
  const secrets = [account.accountSecret, account.refreshSecret, account.token];
  for (const secret of secrets) expect(secret).toMatch(/^kg[a-z]+_/);

  // Use the credential, read every field as the owner and as the operator, list, revoke.
  for (const token of [account.token, OPERATOR_TOKEN]) {
    expectOk(await record(t.url, EVERYTHING, { id: account.id }, token));
  }
  expectOk(await record(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds refreshToken { id status } } }', { id: account.refreshTokenId }, OPERATOR_TOKEN));
  expectOk(await record(t.url, EVERYTHING, { id: account.id }, OPERATOR_TOKEN));
  for (const raw of responses) for (const secret of secrets) expect(raw).not.toContain(secret);

  const stored = await allStoredText(t);
  expect(stored.length).toBeGreaterThan(0);
  for (const secret of secrets) {
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice(5, 30));
  }
  const logs = t.logs.join('\n');
  for (const secret of [...secrets, OPERATOR_TOKEN]) expect(logs).not.toContain(secret);
});

test('the create response shows the secret once; nothing can ask for it again', async () => {
  const account = await exampleAccountWithToken(t.url, 'show-once-2');
  const schemaText = JSON.stringify(
    expectOk(await graphql(t.url, '{ __schema { types { name fields { name } } } }', {}, OPERATOR_TOKEN)).__schema.types,
  );
  // A secret-valued field (a String named …secret) exists only on the payloads of the mutations
  // that create one; `OAuthClient.secrets` and `ServiceAccount.clientSecrets` list expiries, not values.
  type SchemaType = { name: string; fields: { name: string; type: { name: string | null; ofType: { name: string | null } | null } }[] | null };
  const types: SchemaType[] = expectOk(
    await graphql(t.url, '{ __schema { types { name fields { name type { name ofType { name } } } } } }', {}, OPERATOR_TOKEN),
  ).__schema.types;
  const holdsValue = (field: NonNullable<SchemaType['fields']>[number]) => /secret$/i.test(field.name) && (field.type.name ?? field.type.ofType?.name) === 'String';
  const withSecret = types.filter((type) => type.name !== 'Mutation' && type.fields?.some(holdsValue)).map((type) => type.name).sort();
  expect(withSecret).toEqual(['CreateAccessTokenPayload', 'CreateOAuthClientPayload', 'CreateOperatorTokenPayload', 'CreateRefreshTokenPayload', 'CreateServiceAccountPayload', 'CreateWebhookPayload', 'RegenerateOAuthClientSecretPayload']);
  // No field anywhere else is even named like one, but those expiry lists.
  const named = types.filter((type) => type.fields?.some((f) => /secret/i.test(f.name))).map((type) => type.name);
  expect(named.filter((name) => !withSecret.includes(name) && name !== 'Mutation').sort()).toEqual(['OAuthClient', 'ServiceAccount']);
  expect(schemaText).not.toContain(account.token);
});

test('the audit log: operator only, newest first, with actor, action, target, outcome and origin, never a secret', async () => {
  const account = await exampleAccountWithToken(t.url, 'audited');
  const denied = await graphql(t.url, '{ auditEvents { totalCount } }', {}, account.token);
  expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const events = expectOk(await graphql(t.url, '{ auditEvents(first: 4) { nodes { id at provider actor action target outcome origin } } }', {}, OPERATOR_TOKEN)).auditEvents.nodes;
  // The refusal just now is itself a row.
  expect(events.map((e: { action: string; outcome: string }) => `${e.action} ${e.outcome}`)).toEqual(['audit.view denied', 'accessToken.create success', 'refreshToken.create success', 'serviceAccount.create success']);
  expect(events[1]).toMatchObject({ provider: 'example', actor: 'operator', target: account.accessTokenId, outcome: 'success', origin: expect.stringMatching(/^graphql /) });
  const older = expectOk(await graphql(t.url, 'query($after: String) { auditEvents(first: 1, after: $after) { nodes { action } } }', { after: events[3].id }, OPERATOR_TOKEN)).auditEvents.nodes;
  expect(older).toHaveLength(1);
  expect(JSON.stringify(events)).not.toContain(account.token);
});
