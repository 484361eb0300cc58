import { generateSecret } from '../../src/core';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { codes, expectOk, graphql } from '../support/graphql';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ config: { authFailuresPerMinute: 3 } });
});
afterAll(() => t.close());

test('an address that keeps failing to authenticate is refused for the rest of the minute, on every face', async () => {
  for (let i = 0; i < 3; i++) expect(codes(await graphql(t.url, '{ viewer { name } }', {}, generateSecret('at')))).toEqual(['UNAUTHENTICATED']);
  const limited = await graphql(t.url, '{ viewer { name } }', {}, OPERATOR_TOKEN);
  expect(limited.status).toBe(429);
  expect(codes(limited)).toEqual(['RATE_LIMITED']);
  expect(limited.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
  const rest = await fetch(`${t.url}/example/whoami`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  expect(rest.status).toBe(429);

  t.clock.advance(61_000);
  expect(expectOk(await graphql(t.url, '{ viewer { name } }', {}, OPERATOR_TOKEN)).viewer.name).toBe('operator');
});

test('guessing a Talend service-account secret is limited the same way', async () => {
  t.clock.advance(61_000);
  const created = expectOk(
    await graphql(t.url, 'mutation { createServiceAccount(input: { provider: TALEND, name: "limited", permissions: [] }) { serviceAccount { id } } }', {}, OPERATOR_TOKEN),
  ).createServiceAccount.serviceAccount.id;
  const attempt = (secret: string) =>
    fetch(`${t.url}/security/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${created}:${secret}`).toString('base64')}` },
      body: JSON.stringify({ audience: 'https://api.talend.io', grant_type: 'client_credentials' }),
    });
  for (let i = 0; i < 3; i++) expect((await attempt(generateSecret('sa'))).status).toBe(401);
  const limited = await attempt(generateSecret('sa'));
  expect(limited.status).toBe(429);
  expect(await limited.json()).toMatchObject({ status: 429, error: 'rate_limited' });
  // One counter per address: the bearer face is closed to it too.
  expect((await graphql(t.url, '{ viewer { name } }', {}, OPERATOR_TOKEN)).status).toBe(429);
});

test('guessing an Alation password is limited per address and per user name', async () => {
  t.clock.advance(61_000);
  expectOk(await graphql(t.url, 'mutation { createServiceAccount(input: { provider: ALATION, user: "guessed", displayName: "G", email: "g@example.com", title: "t", role: "VIEWER", password: "Correct-Horse-7" }) { serviceAccount { id } } }', {}, OPERATOR_TOKEN));
  const attempt = (password: string) =>
    fetch(`${t.url}/integration/v1/createRefreshToken/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'guessed', password, name: 'x' }) });
  for (let i = 0; i < 3; i++) expect((await attempt(`wrong-${i}`)).status).toBe(401);
  const limited = await attempt('Correct-Horse-7');
  expect(limited.status).toBe(429);
  t.clock.advance(61_000);
  expect((await attempt('Correct-Horse-7')).status).toBe(201);
});
