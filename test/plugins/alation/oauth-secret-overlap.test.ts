import { startTestGateway, OPERATOR_TOKEN, type TestGateway } from '../../support/gateway';
import { codes, expectOk, graphql } from '../../support/graphql';
import { basic, createOAuthClient, form, rest, type OAuthClient } from './alation-support';

/** Regenerating an OAuth client secret with an overlap: the old secret keeps working for a while, then stops. */
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const REGENERATE = `mutation($clientId: String!, $overlapSeconds: Int) {
  regenerateOAuthClientSecret(clientId: $clientId, overlapSeconds: $overlapSeconds) { clientSecret client { clientId secrets { current expiresAt } } } }`;
const regenerate = (clientId: string, overlapSeconds?: number) => graphql(t.url, REGENERATE, { clientId, overlapSeconds }, OPERATOR_TOKEN);
const tokenStatus = async (clientId: string, clientSecret: string) =>
  (await form(t.url, '/oauth/v2/token/', { grant_type: 'client_credentials' }, { authorization: basic(clientId, clientSecret) })).status;
const OPERATOR = { authorization: `Bearer ${OPERATOR_TOKEN}` };

test('the old secret works during the overlap, both are listed with their expiry, and it fails after; the new one works throughout', async () => {
  const client = await createOAuthClient(t.url, 'STEWARD', { name: 'overlapping' });
  const from = await t.gateway.core.events.head();
  const regenerated = expectOk(await regenerate(client.clientId, 60)).regenerateOAuthClientSecret;
  const ends = new Date(t.clock.now().getTime() + 60_000).toISOString();
  expect(regenerated.client.secrets).toEqual([
    { current: true, expiresAt: null },
    { current: false, expiresAt: ends },
  ]);
  expect(await tokenStatus(client.clientId, client.clientSecret)).toBe(200);
  expect(await tokenStatus(client.clientId, regenerated.clientSecret)).toBe(200);

  // Listed on the service account too, for as long as the overlap lasts.
  const listed = async () => expectOk(await graphql(t.url, 'query($id: ID!) { serviceAccount(id: $id) { clientSecrets { current expiresAt } } }', { id: client.id }, OPERATOR_TOKEN)).serviceAccount.clientSecrets;
  expect(await listed()).toEqual(regenerated.client.secrets);

  t.clock.advance(59_000);
  expect(await tokenStatus(client.clientId, client.clientSecret)).toBe(200);
  t.clock.advance(1_000);
  expect(await tokenStatus(client.clientId, client.clientSecret)).toBe(401);
  expect(await tokenStatus(client.clientId, regenerated.clientSecret)).toBe(200);
  expect(await listed()).toEqual([{ current: true, expiresAt: null }]);

  // Evented and audited like every regeneration.
  const events = (await t.gateway.core.events.history(from)).filter((e) => e.kind === 'SECRET_CHANGED');
  expect(events.map((e) => e.subjectId)).toEqual([(await t.gateway.core.principals.findByClientId(client.clientId))!.id]);
  const audit = expectOk(await graphql(t.url, '{ auditEvents(filter: { action: "oauthClient.regenerateSecret" }, first: 1000) { nodes { target outcome } } }', {}, OPERATOR_TOKEN));
  expect(audit.auditEvents.nodes.filter((row: { target: string }) => row.target === events[0].subjectId)).toEqual([{ target: events[0].subjectId, outcome: 'success' }]);
});

test('at most two secrets work: regenerating again during an overlap ends the oldest at once', async () => {
  const client = await createOAuthClient(t.url, 'VIEWER', { name: 'twice' });
  const second = expectOk(await regenerate(client.clientId, 3600)).regenerateOAuthClientSecret;
  const third = expectOk(await regenerate(client.clientId, 3600)).regenerateOAuthClientSecret;
  expect(await tokenStatus(client.clientId, client.clientSecret)).toBe(401);
  expect(await tokenStatus(client.clientId, second.clientSecret)).toBe(200);
  expect(await tokenStatus(client.clientId, third.clientSecret)).toBe(200);
  // Without an overlap the previous secret stops at once.
  const fourth = expectOk(await regenerate(client.clientId)).regenerateOAuthClientSecret;
  expect(fourth.client.secrets).toEqual([{ current: true, expiresAt: null }]);
  expect(await tokenStatus(client.clientId, third.clientSecret)).toBe(401);
  expect(await tokenStatus(client.clientId, fourth.clientSecret)).toBe(200);
});

test('an overlap beyond 24 hours, or negative, is BAD_USER_INPUT and changes nothing', async () => {
  const client = await createOAuthClient(t.url, 'VIEWER', { name: 'bounded' });
  const from = await t.gateway.core.events.head();
  for (const overlap of [86_401, -1]) expect(codes(await regenerate(client.clientId, overlap))).toEqual(['BAD_USER_INPUT']);
  for (const overlap of [86_401, 'soon', 1.5]) {
    const refused = await rest(t.url, `/oauth/v2/clients/${client.clientId}/secret/`, { overlap_seconds: overlap }, OPERATOR);
    expect([refused.status, refused.body.error]).toEqual([400, 'invalid_request']);
  }
  expect(await tokenStatus(client.clientId, client.clientSecret)).toBe(200);
  expect((await t.gateway.core.events.history(from)).filter((e) => e.kind === 'SECRET_CHANGED')).toEqual([]);
  // 24 hours exactly is allowed.
  expectOk(await regenerate(client.clientId, 86_400));
  expect(await tokenStatus(client.clientId, client.clientSecret)).toBe(200);
});

test('the REST route takes overlap_seconds and says when the old secret stops', async () => {
  const client: OAuthClient = await createOAuthClient(t.url, 'VIEWER', { name: 'rest-overlap' });
  const response = await rest(t.url, `/oauth/v2/clients/${client.clientId}/secret/`, { overlap_seconds: 30 }, OPERATOR);
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toContain('no-store');
  expect(response.body.previous_secret_expires_at).toBe(new Date(t.clock.now().getTime() + 30_000).toISOString());
  expect(await tokenStatus(client.clientId, client.clientSecret)).toBe(200);
  t.clock.advance(30_000);
  expect(await tokenStatus(client.clientId, client.clientSecret)).toBe(401);
  expect(await tokenStatus(client.clientId, response.body.client_secret)).toBe(200);
});

test("a Talend service account's id and secret stay immutable: no regeneration, with or without overlap", async () => {
  const created = expectOk(
    await graphql(t.url, 'mutation { createServiceAccount(input: { provider: TALEND, name: "immutable", permissions: [] }) { serviceAccount { id clientId } secret } }', {}, OPERATOR_TOKEN),
  ).createServiceAccount;
  expect(codes(await regenerate(created.serviceAccount.clientId, 60))).toEqual(['NOT_FOUND']);
  const account = expectOk(await graphql(t.url, 'query($id: ID!) { serviceAccount(id: $id) { clientSecrets { current } } }', { id: created.serviceAccount.id }, OPERATOR_TOKEN));
  expect(account.serviceAccount.clientSecrets).toBeNull();
  const exchanged = await fetch(`${t.url}/security/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic(created.serviceAccount.clientId, created.secret) },
    body: JSON.stringify({ audience: 'https://api.talend.io', grant_type: 'client_credentials' }),
  });
  expect(exchanged.status).toBe(200);
});
