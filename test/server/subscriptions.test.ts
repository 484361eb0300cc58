import { exampleAccountWithToken } from '../support/example-flow';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { expectOk, graphql } from '../support/graphql';
import { subscribe, wsClient } from '../support/ws';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const REVOKED = `subscription($provider: Provider, $id: ID) { tokenRevoked(provider: $provider, serviceAccountId: $id) { provider kind subjectType subjectId serviceAccountId actor at cursor } }`;

test('an administrator receives revocations live', async () => {
  const admin = await exampleAccountWithToken(t.url, 'ws-admin', 'ADMIN');
  const target = await exampleAccountWithToken(t.url, 'ws-target');
  const sub = await subscribe(t.url, admin.token, REVOKED, { provider: 'EXAMPLE' });
  try {
    expectOk(await graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: target.refreshTokenId }, OPERATOR_TOKEN));
    const events = await sub.next(2);
    expect(events.map((e) => e.tokenRevoked.subjectId).sort()).toEqual([target.accessTokenId, target.refreshTokenId].sort());
    expect(events[0].tokenRevoked).toMatchObject({ provider: 'EXAMPLE', kind: 'REVOKED', serviceAccountId: target.id, actor: 'operator' });
  } finally {
    sub.dispose();
  }
});

test('a service account sees only its own revocations', async () => {
  const watcher = await exampleAccountWithToken(t.url, 'ws-watcher');
  const other = await exampleAccountWithToken(t.url, 'ws-other');
  const sub = await subscribe(t.url, watcher.token, REVOKED);
  try {
    expectOk(await graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: other.accessTokenId }, OPERATOR_TOKEN));
    const second = expectOk(await graphql(t.url, 'mutation($id: ID!) { createRefreshToken(input: { serviceAccountId: $id, name: "spare" }) { refreshToken { id } } }', { id: watcher.id }, OPERATOR_TOKEN));
    expectOk(await graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: second.createRefreshToken.refreshToken.id }, OPERATOR_TOKEN));
    const events = await sub.next(1);
    expect(events).toHaveLength(1);
    expect(events[0].tokenRevoked.serviceAccountId).toBe(watcher.id);
  } finally {
    sub.dispose();
  }
});

test('connections without a good credential are closed with 4403', async () => {
  for (const token of [undefined, 'kgat_bogus']) {
    const { client, closed } = wsClient(t.url, token);
    expect((await closed).code).toBe(4403);
    await client.dispose();
  }
});

test('a subscriber whose own credential is revoked is disconnected', async () => {
  const self = await exampleAccountWithToken(t.url, 'ws-self');
  const sub = await subscribe(t.url, self.token, REVOKED);
  expectOk(await graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: self.accessTokenId }, OPERATOR_TOKEN));
  expect((await sub.closed).code).toBe(4403);
  sub.dispose();
});

test('the WebSocket path applies the same validation limits and masking', async () => {
  const aliases = Array.from({ length: 60 }, (_, i) => `a${i}: cursor`).join(' ');
  const tooMany = await subscribe(t.url, OPERATOR_TOKEN, `subscription { tokenRevoked { ${aliases} } }`);
  await tooMany.next(1).catch(() => undefined);
  expect(JSON.stringify(tooMany.errors)).toContain('Aliases limit of 50 exceeded');
  tooMany.dispose();

  const bad = await subscribe(t.url, OPERATOR_TOKEN, 'subscription { tokenRevoked { password } }');
  await bad.next(1).catch(() => undefined);
  expect(JSON.stringify(bad.errors)).toContain('Cannot query field');
  expect(JSON.stringify(bad.errors)).not.toMatch(/node_modules|at \w+ \(/);
  bad.dispose();
});

test('fan-out once: 300 subscribers of one document and class get every event once, in order; members of one class only their own', async () => {
  const alice = await exampleAccountWithToken(t.url, 'fan-alice');
  const bob = await exampleAccountWithToken(t.url, 'fan-bob');
  const spare = (id: string, name: string) =>
    graphql(t.url, 'mutation($id: ID!, $name: String!) { createRefreshToken(input: { serviceAccountId: $id, name: $name }) { refreshToken { id } } }', { id, name }, OPERATOR_TOKEN).then(
      (r) => expectOk(r).createRefreshToken.refreshToken.id as string,
    );
  const tokens = [await spare(alice.id, 'a1'), await spare(bob.id, 'b1'), await spare(alice.id, 'a2')];
  const operators = await Promise.all(Array.from({ length: 300 }, () => subscribe(t.url, OPERATOR_TOKEN, REVOKED, { provider: 'EXAMPLE' })));
  const members = { alice: await subscribe(t.url, alice.token, REVOKED), bob: await subscribe(t.url, bob.token, REVOKED) };
  try {
    // Every one of them is served by the fan-out, not by an execution of its own.
    expect(t.gateway.openSubscriptions()).toBe(302);
    for (const id of tokens) expectOk(await graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id }, OPERATOR_TOKEN));
    for (const sub of operators) expect((await sub.next(3)).map((e) => e.tokenRevoked.subjectId)).toEqual(tokens);
    expect((await members.alice.next(2)).map((e) => e.tokenRevoked.subjectId)).toEqual([tokens[0], tokens[2]]);
    expect((await members.bob.next(1)).map((e) => e.tokenRevoked.subjectId)).toEqual([tokens[1]]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(operators.every((sub) => sub.events.length === 3)).toBe(true);
    expect([members.alice.events.length, members.bob.events.length]).toEqual([2, 1]);
  } finally {
    [...operators, members.alice, members.bob].forEach((sub) => sub.dispose());
  }
});
