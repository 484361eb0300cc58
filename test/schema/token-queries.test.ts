import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { codes, expectOk, graphql } from '../support/graphql';
import { DAY, signedInUser } from '../plugins/alation/alation-support';
import { serviceAccountWithToken, userWithToken } from '../plugins/talend/talend-support';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const TOKENS = `query($filter: TokenFilter, $first: Int, $after: String) {
  tokens(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { __typename id provider name status createdAt expiresAt lastUsedAt
      ... on RefreshToken { owner { id name } accessToken { status } }
      ... on AccessToken { kind owner { id name } } } } }`;
const SUMMARY = `query($provider: Provider, $days: Int) { tokenSummary(provider: $provider, expiringWithinDays: $days) { active expired revoked expiringSoon neverUsed } }`;
const AUDIT = `query($filter: AuditFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id at provider actor action outcome } } }`;

const tokens = async (token: string, filter: Record<string, unknown> = {}, first = 100, after?: string) =>
  expectOk(await graphql(t.url, TOKENS, { filter, first, after }, token)).tokens;
const ids = (page: { nodes: { id: string }[] }) => page.nodes.map((n) => n.id);

test('tokens: every token the caller may see, newest first, paged by cursor with a stable total', async () => {
  const alice = await signedInUser(t.url, 'alice-tq', 'VIEWER');
  const bob = await signedInUser(t.url, 'bob-tq', 'STEWARD');
  const admin = await signedInUser(t.url, 'admin-tq', 'SERVER_ADMIN');

  const all = await tokens(OPERATOR_TOKEN, { provider: 'ALATION' });
  expect(all.totalCount).toBe(6);
  const created = all.nodes.map((n: { createdAt: string }) => n.createdAt);
  expect([...created].sort().reverse()).toEqual(created);
  expect(all.nodes.find((n: { id: string }) => n.id === alice.refreshTokenId)).toMatchObject({ __typename: 'RefreshToken', name: 'session', owner: { name: 'alice-tq' }, accessToken: { status: 'ACTIVE' } });

  // Pages of two walk the same list with no gap and no repeat.
  const walked: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await tokens(OPERATOR_TOKEN, { provider: 'ALATION' }, 2, after);
    expect(page.totalCount).toBe(6);
    walked.push(...ids(page));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  expect(walked).toEqual(ids(all));

  // A VIEWER sees its own two tokens; a Server Admin every Alation token (the read policy).
  expect(ids(await tokens(alice.token)).sort()).toEqual([alice.refreshTokenId, alice.accessTokenId].sort());
  expect(ids(await tokens(admin.token)).sort()).toEqual(ids(all).sort());
  expect(ids(await tokens(bob.token, { serviceAccountId: alice.id }))).toEqual([]);
  expect(ids(await tokens(admin.token, { serviceAccountId: alice.id })).sort()).toEqual([alice.refreshTokenId, alice.accessTokenId].sort());

  // Another provider named explicitly is a refusal; left unnamed, its tokens are simply absent.
  expect(codes(await graphql(t.url, TOKENS, { filter: { provider: 'TALEND' } }, alice.token))).toEqual(['FORBIDDEN']);
});

test('tokens: filters by status, expiry, last use and never used; tokenSummary counts the same rows', async () => {
  const carol = await signedInUser(t.url, 'carol-tq', 'VIEWER');
  const mine = { serviceAccountId: carol.id };
  const refreshToken = async (name: string) =>
    expectOk(await graphql(t.url, 'mutation($id: ID!, $name: String!) { createRefreshToken(input: { serviceAccountId: $id, name: $name }) { refreshToken { id } } }', { id: carol.id, name }, OPERATOR_TOKEN))
      .createRefreshToken.refreshToken.id as string;
  // The test clock stands still, so these share one creation instant: compare as sets.
  // Used: the refresh token minted the access token, and the access token calls the API.
  expectOk(await graphql(t.url, '{ viewer { name } }', {}, carol.token));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const revoked = await refreshToken('revoked');
  expectOk(await graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: revoked }, OPERATOR_TOKEN));
  const unused = await refreshToken('unused');

  expect(ids(await tokens(OPERATOR_TOKEN, { ...mine, status: 'REVOKED' }))).toEqual([revoked]);
  expect(ids(await tokens(OPERATOR_TOKEN, { ...mine, status: 'ACTIVE' })).sort()).toEqual([unused, carol.accessTokenId, carol.refreshTokenId].sort());
  expect(ids(await tokens(OPERATOR_TOKEN, { ...mine, neverUsed: true })).sort()).toEqual([unused, revoked].sort());
  expect(ids(await tokens(OPERATOR_TOKEN, { ...mine, neverUsed: false })).sort()).toEqual([carol.accessTokenId, carol.refreshTokenId].sort());

  const now = t.clock.now().getTime();
  // The access token lives a day, refresh tokens 60 days.
  expect(ids(await tokens(OPERATOR_TOKEN, { ...mine, expiresBefore: new Date(now + 2 * DAY).toISOString() }))).toEqual([carol.accessTokenId]);
  expect(ids(await tokens(OPERATOR_TOKEN, { ...mine, lastUsedBefore: new Date(now - DAY).toISOString() }))).toEqual([]);
  expect(ids(await tokens(OPERATOR_TOKEN, { ...mine, lastUsedBefore: new Date(now + DAY).toISOString() }))).toHaveLength(4);
  expect(ids(await tokens(OPERATOR_TOKEN, { ...mine, status: 'ACTIVE', neverUsed: true, expiresBefore: new Date(now + 61 * DAY).toISOString() }))).toEqual([unused]);

  // Carol sees her own four: the counts are over what `tokens` would list for her.
  expect(expectOk(await graphql(t.url, SUMMARY, { provider: 'ALATION' }, carol.token)).tokenSummary).toEqual({ active: 3, expired: 0, revoked: 1, expiringSoon: 1, neverUsed: 1 });
  expect(expectOk(await graphql(t.url, SUMMARY, { days: 60 }, carol.token)).tokenSummary.expiringSoon).toBe(3);
  t.clock.advance(61 * DAY);
  expect(ids(await tokens(OPERATOR_TOKEN, { ...mine, status: 'EXPIRED' })).sort()).toEqual([unused, carol.accessTokenId, carol.refreshTokenId].sort());
  expect(codes(await graphql(t.url, SUMMARY, { days: 0 }, OPERATOR_TOKEN))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await graphql(t.url, TOKENS, { filter: { serviceAccountId: 'not-a-uuid' } }, OPERATOR_TOKEN))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await graphql(t.url, TOKENS, { after: 'garbage' }, OPERATOR_TOKEN))).toEqual(['BAD_USER_INPUT']);
});

test('tokens: Talend visibility follows the kind of the owner (users to user managers)', async () => {
  const manager = await userWithToken(t, 'users-manager@tq', ['TMC_USER_MANAGEMENT']);
  const other = await userWithToken(t, 'someone@tq', []);
  const robot = await serviceAccountWithToken(t, 'robot-tq', ['TMC_ENGINE_USE']);
  const seen = ids(await tokens(manager.token));
  expect(seen).toEqual(expect.arrayContaining([manager.tokenId, other.tokenId]));
  const robotTokens = ids(await tokens(OPERATOR_TOKEN, { serviceAccountId: robot.id }));
  expect(robotTokens).toHaveLength(1);
  expect(seen).not.toContain(robotTokens[0]);
  expect(ids(await tokens(other.token))).toEqual([other.tokenId]);
});

test('auditEvents: filtered and paged, operator everywhere, Talend AUDIT_LOGS_VIEW on Talend rows only', async () => {
  const auditor = await userWithToken(t, 'auditor@tq', ['AUDIT_LOGS_VIEW']);
  const plain = await userWithToken(t, 'plain@tq', []);
  const alation = await signedInUser(t.url, 'dave-tq', 'SERVER_ADMIN');

  const page1 = expectOk(await graphql(t.url, AUDIT, { first: 3 }, OPERATOR_TOKEN)).auditEvents;
  expect(page1.nodes).toHaveLength(3);
  const page2 = expectOk(await graphql(t.url, AUDIT, { first: 3, after: page1.pageInfo.endCursor }, OPERATOR_TOKEN)).auditEvents;
  expect(Number(page2.nodes[0].id)).toBeLessThan(Number(page1.nodes[2].id));
  expect(page2.totalCount).toBe(page1.totalCount);

  const talendRows = expectOk(await graphql(t.url, AUDIT, { first: 500 }, auditor.token)).auditEvents;
  expect(talendRows.totalCount).toBeGreaterThan(0);
  expect(new Set(talendRows.nodes.map((n: { provider: string }) => n.provider))).toEqual(new Set(['talend']));
  const talendAsOperator = expectOk(await graphql(t.url, AUDIT, { first: 500, filter: { provider: 'talend' } }, OPERATOR_TOKEN)).auditEvents;
  expect(talendAsOperator.totalCount).toBeGreaterThanOrEqual(talendRows.totalCount);
  expect(new Set(talendAsOperator.nodes.map((n: { provider: string }) => n.provider))).toEqual(new Set(['talend']));
  expect(codes(await graphql(t.url, AUDIT, { filter: { provider: 'alation' } }, auditor.token))).toEqual(['FORBIDDEN']);
  expect(codes(await graphql(t.url, AUDIT, {}, plain.token))).toEqual(['FORBIDDEN']);
  expect(codes(await graphql(t.url, AUDIT, {}, alation.token))).toEqual(['FORBIDDEN']);

  const denied = expectOk(await graphql(t.url, AUDIT, { filter: { outcome: 'denied', action: 'audit.*' } }, OPERATOR_TOKEN)).auditEvents;
  expect(denied.nodes.length).toBeGreaterThanOrEqual(3);
  expect(denied.nodes.every((n: { outcome: string; action: string }) => n.outcome === 'denied' && n.action === 'audit.view')).toBe(true);
  const byActor = expectOk(await graphql(t.url, AUDIT, { filter: { actor: `alation:${alation.id}`, action: 'audit.view' } }, OPERATOR_TOKEN)).auditEvents;
  expect(byActor.nodes.map((n: { actor: string }) => n.actor)).toEqual([`alation:${alation.id}`]);
  const future = new Date(t.clock.now().getTime() + 1000).toISOString();
  expect(expectOk(await graphql(t.url, AUDIT, { filter: { since: future } }, OPERATOR_TOKEN)).auditEvents.totalCount).toBe(0);
  expect(expectOk(await graphql(t.url, AUDIT, { filter: { until: future } }, OPERATOR_TOKEN)).auditEvents.totalCount).toBe(page1.totalCount + 3);
  // A window: since inclusive, until exclusive, together with the other filters.
  const [newest] = page1.nodes;
  const window = expectOk(await graphql(t.url, AUDIT, { filter: { since: newest.at, until: future, actor: newest.actor, outcome: newest.outcome } }, OPERATOR_TOKEN)).auditEvents;
  expect(window.nodes.map((n: { id: string }) => n.id)).toContain(newest.id);
  expect(window.nodes.every((n: { at: string; actor: string }) => n.at >= newest.at && n.actor === newest.actor)).toBe(true);
  expect(expectOk(await graphql(t.url, AUDIT, { filter: { since: newest.at, until: newest.at } }, OPERATOR_TOKEN)).auditEvents.totalCount).toBe(0);
  expect(codes(await graphql(t.url, AUDIT, { filter: { outcome: 'maybe' } }, OPERATOR_TOKEN))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await graphql(t.url, AUDIT, { after: 'x' }, OPERATOR_TOKEN))).toEqual(['BAD_USER_INPUT']);
});

test('the enums: serviceAccounts(kind: PrincipalKind) and tokenEvents(kinds: [TokenEventKind!])', async () => {
  const sa = expectOk(await graphql(t.url, '{ serviceAccounts(provider: TALEND, kind: SERVICE_ACCOUNT, first: 100) { nodes { kind } } }', {}, OPERATOR_TOKEN)).serviceAccounts;
  expect(sa.nodes.length).toBeGreaterThan(0);
  expect(new Set(sa.nodes.map((n: { kind: string }) => n.kind))).toEqual(new Set(['service_account']));
  const bad = await graphql(t.url, '{ serviceAccounts(kind: "user") { totalCount } }', {}, OPERATOR_TOKEN);
  expect(bad.status).toBe(200); // GraphQL over HTTP: a request error on application/json is 200
  expect(bad.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  const schema = expectOk(await graphql(t.url, '{ __type(name: "TokenEventKind") { enumValues { name } } }', {}, OPERATOR_TOKEN));
  expect(schema.__type.enumValues.map((v: { name: string }) => v.name)).toEqual(['CREATED', 'REVOKED', 'EXPIRED', 'EXPIRING', 'DELETED', 'PERSONAS_CHANGED', 'PERMISSIONS_CHANGED', 'SECRET_CHANGED', 'WEBHOOK_FAILING']);
});
