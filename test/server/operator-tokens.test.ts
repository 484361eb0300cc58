import { exampleAccountWithToken } from '../support/example-flow';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { codes, expectOk, graphql } from '../support/graphql';
import { allStoredText } from '../support/secret-scan';
import { wsClient } from '../support/ws';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const CREATE = 'mutation($name: String!) { createOperatorToken(name: $name) { operatorToken { id name status createdAt lastUsedAt revokedAt } secret } }';
const LIST = '{ operatorTokens { id name status lastUsedAt revokedAt } }';
const REVOKE = 'mutation($id: ID!) { revokeOperatorToken(id: $id) { revokedIds } }';

test('named tokens: shown once, listed without secrets, revoked at once; the last one needs a replacement; every step audited', async () => {
  const first = expectOk(await graphql(t.url, CREATE, { name: 'ci' }, OPERATOR_TOKEN)).createOperatorToken;
  expect(first.secret).toMatch(/^kgop_/);
  expect(first.operatorToken).toMatchObject({ name: 'ci', status: 'ACTIVE', lastUsedAt: null, revokedAt: null });
  // It works as the operator's credential.
  expect(expectOk(await graphql(t.url, '{ viewer { isOperator } }', {}, first.secret)).viewer.isOperator).toBe(true);
  expect(codes(await graphql(t.url, CREATE, { name: 'ci' }, OPERATOR_TOKEN))).toEqual(['CONFLICT']);
  expect(codes(await graphql(t.url, CREATE, { name: '   ' }, OPERATOR_TOKEN))).toEqual(['BAD_USER_INPUT']);

  const listed = expectOk(await graphql(t.url, LIST, {}, first.secret)).operatorTokens;
  expect(listed).toEqual([expect.objectContaining({ id: first.operatorToken.id, name: 'ci', status: 'ACTIVE' })]);
  expect(JSON.stringify(listed)).not.toContain(first.secret);

  // The only stored operator token cannot go (the configured development token is not a replacement).
  expect(codes(await graphql(t.url, REVOKE, { id: first.operatorToken.id }, first.secret))).toEqual(['CONFLICT']);
  const second = expectOk(await graphql(t.url, CREATE, { name: 'alice' }, first.secret)).createOperatorToken;

  // A socket authenticated by the token is closed the moment the token is revoked.
  const { client, closed } = wsClient(t.url, first.secret);
  await new Promise<void>((resolve) => client.on('connected', () => resolve()));
  expect(expectOk(await graphql(t.url, REVOKE, { id: first.operatorToken.id }, second.secret)).revokeOperatorToken.revokedIds).toEqual([first.operatorToken.id]);
  expect(codes(await graphql(t.url, '{ viewer { isOperator } }', {}, first.secret))).toEqual(['UNAUTHENTICATED']);
  expect((await closed).code).toBe(4403);
  await client.dispose();
  expect(codes(await graphql(t.url, REVOKE, { id: first.operatorToken.id }, second.secret))).toEqual(['NOT_FOUND']);

  const after = expectOk(await graphql(t.url, LIST, {}, second.secret)).operatorTokens;
  // (The test clock stands still, so both share a creation time: compare by name.)
  expect(after.map((x: { name: string; status: string }) => [x.name, x.status]).sort()).toEqual([
    ['alice', 'ACTIVE'],
    ['ci', 'REVOKED'],
  ]);

  const audit = expectOk(await graphql(t.url, '{ auditEvents(first: 100) { nodes { action outcome target } } }', {}, OPERATOR_TOKEN)).auditEvents.nodes;
  expect(audit).toEqual(
    expect.arrayContaining([
      { action: 'operator.createToken', outcome: 'success', target: first.operatorToken.id },
      { action: 'operator.createToken', outcome: 'success', target: second.operatorToken.id },
      { action: 'operator.revokeToken', outcome: 'denied', target: first.operatorToken.id },
      { action: 'operator.revokeToken', outcome: 'success', target: first.operatorToken.id },
    ]),
  );
  const stored = await allStoredText(t);
  for (const secret of [first.secret, second.secret]) expect(stored).not.toContain(secret);
  for (const secret of [first.secret, second.secret]) expect(t.logs.join('\n')).not.toContain(secret);
});

test('only the operator manages operator tokens; the generic revokeToken cannot reach them', async () => {
  const account = await exampleAccountWithToken(t.url, 'not-an-operator', 'ADMIN');
  expect(codes(await graphql(t.url, CREATE, { name: 'sneaky' }, account.token))).toEqual(['FORBIDDEN']);
  expect(codes(await graphql(t.url, LIST, {}, account.token))).toEqual(['FORBIDDEN']);
  expect(codes(await graphql(t.url, CREATE, { name: 'anon' }))).toEqual(['UNAUTHENTICATED']);
  const mine = expectOk(await graphql(t.url, CREATE, { name: 'spare' }, OPERATOR_TOKEN)).createOperatorToken.operatorToken;
  expect(codes(await graphql(t.url, REVOKE, { id: mine.id }, account.token))).toEqual(['FORBIDDEN']);
  const generic = await graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: mine.id }, account.token);
  expect(generic.errors?.length).toBeGreaterThan(0);
  expect(codes(generic)).not.toContain('INTERNAL_SERVER_ERROR');
  expect(expectOk(await graphql(t.url, LIST, {}, OPERATOR_TOKEN)).operatorTokens.find((x: { id: string }) => x.id === mine.id).status).toBe('ACTIVE');
});
