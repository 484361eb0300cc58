import WebSocket from 'ws';
import { generateSecret } from '../../src/core';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { codes, expectOk, graphql } from '../support/graphql';
import { rest } from '../support/rest';
import { bearerFor, createUser } from '../plugins/atlan/atlan-support';

const LIMIT = 3;
let t: TestGateway;
beforeAll(async () => {
  // Loopback is trusted here so that each test can speak from an address of its own (X-Forwarded-For).
  t = await startTestGateway({ config: { authFailuresPerMinute: LIMIT, trustProxy: ['loopback'] } });
});
afterAll(() => t.close());

const from = (address: string, headers: Record<string, string> = {}) => ({ 'x-forwarded-for': address, ...headers });
const viewer = (address: string, token: string) =>
  fetch(`${t.url}/graphql`, { method: 'POST', headers: from(address, { 'content-type': 'application/json', authorization: `Bearer ${token}` }), body: JSON.stringify({ query: '{ viewer { name } }' }) });
const post = (path: string, address: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${t.url}${path}`, { method: 'POST', headers: from(address, { 'content-type': 'application/json', ...headers }), body: JSON.stringify(body) });

async function alationUser(name: string): Promise<{ userId: number; refreshToken: string }> {
  const password = 'Correct-Horse-7';
  expectOk(
    await graphql(t.url, `mutation { createServiceAccount(input: { provider: ALATION, user: "${name}", displayName: "L", email: "${name}@example.com", title: "t", role: "VIEWER", password: "${password}" }) { serviceAccount { id } } }`, {}, OPERATOR_TOKEN),
  );
  const created = await post('/integration/v1/createRefreshToken/', '10.9.0.1', { username: name, password, name: 'limited' });
  expect(created.status).toBe(201);
  const body = (await created.json()) as { user_id: number; refresh_token: string };
  return { userId: body.user_id, refreshToken: body.refresh_token };
}

test('bearer failures past the limit get 429 RATE_LIMITED with Retry-After; a valid token from that address is still served', async () => {
  const address = '10.1.0.1';
  for (let i = 0; i < LIMIT; i++) expect((await viewer(address, generateSecret('at'))).status).toBe(401);
  const limited = await viewer(address, generateSecret('at'));
  expect(limited.status).toBe(429);
  const body = (await limited.json()) as { errors: { extensions: { code: string; retryAfterSeconds: number } }[] };
  expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
  expect(body.errors[0].extensions.retryAfterSeconds).toBeGreaterThan(0);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  // REST counts on the same key.
  expect((await fetch(`${t.url}/example/whoami`, { headers: from(address, { authorization: `Bearer ${generateSecret('at')}` }) })).status).toBe(429);

  expect(await (await viewer(address, OPERATOR_TOKEN)).json()).toEqual({ data: { viewer: { name: 'operator' } } });
  expect((await fetch(`${t.url}/example/whoami`, { headers: from(address, { authorization: `Bearer ${OPERATOR_TOKEN}` }) })).status).toBe(200);
  // Another address is not affected.
  expect((await viewer('10.1.0.2', generateSecret('at'))).status).toBe(401);
});

test('Talend client-secret guesses count on the address the bearer face counts on', async () => {
  const address = '10.2.0.1';
  const created = expectOk(
    await graphql(t.url, 'mutation { createServiceAccount(input: { provider: TALEND, name: "limited", permissions: [] }) { serviceAccount { id } } }', {}, OPERATOR_TOKEN),
  ).createServiceAccount.serviceAccount.id;
  const attempt = (secret: string) =>
    post('/security/oauth/token', address, { audience: 'https://api.talend.io', grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(`${created}:${secret}`).toString('base64')}` });
  for (let i = 0; i < LIMIT; i++) expect((await attempt(generateSecret('sa'))).status).toBe(401);
  const limited = await attempt(generateSecret('sa'));
  expect(limited.status).toBe(429);
  expect(await limited.json()).toMatchObject({ status: 429, error: 'rate_limited' });
  expect((await viewer(address, generateSecret('at'))).status).toBe(429);
  expect((await viewer(address, OPERATOR_TOKEN)).status).toBe(200);
});

test('an Alation user name that keeps being guessed is locked, from any address, and others are not', async () => {
  await alationUser('guessed');
  const attempt = (address: string, password: string) => post('/integration/v1/createRefreshToken/', address, { username: 'guessed', password, name: 'x' });
  for (let i = 0; i < LIMIT; i++) expect((await attempt(`10.3.0.${i + 1}`, `wrong-${i}`)).status).toBe(401);
  // Passwords can be guessed, so their user name is refused before checking, even the right one.
  const limited = await attempt('10.3.0.9', 'Correct-Horse-7');
  expect(limited.status).toBe(429);
  expect(await limited.json()).toEqual({ detail: expect.stringContaining('Too many failed attempts'), code: '429000' });
  await alationUser('unguessed');
  expect((await post('/integration/v1/createRefreshToken/', '10.3.0.9', { username: 'unguessed', password: 'Correct-Horse-7', name: 'y' })).status).toBe(201);
});

const BODY_ROUTES = ['validateRefreshToken', 'validateAPIAccessToken', 'createAPIAccessToken', 'regenRefreshToken', 'revokeAPIAccessTokens'] as const;

test.each(BODY_ROUTES.map((route, i) => [route, i]))(
  'Alation %s: 200 random-token guesses from one address end in 429 after the limit; valid credentials from it still work',
  async (route, i) => {
    const owner = await alationUser(`body${i}`);
    const address = `10.4.${i}.1`;
    const field = route === 'validateAPIAccessToken' ? 'api_access_token' : 'refresh_token';
    const statuses: number[] = [];
    for (let n = 0; n < 200; n++) {
      const guess = await post(`/integration/v1/${route}/`, address, { [field]: generateSecret(field === 'refresh_token' ? 'rt' : 'at'), user_id: 100_000 * (i + 1) + n });
      statuses.push(guess.status);
      if (guess.status === 429) {
        expect(Number(guess.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await guess.json()).toEqual({ detail: expect.stringContaining('Too many failed attempts'), code: '429000' });
      } else await guess.body?.cancel();
    }
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(401), ...Array<number>(200 - LIMIT).fill(429)]);

    expect((await viewer(address, OPERATOR_TOKEN)).status).toBe(200);
    const valid = await post('/integration/v1/validateRefreshToken/', address, { refresh_token: owner.refreshToken, user_id: owner.userId });
    expect(valid.status).toBe(200);
  },
);

test('Atlan apiToken guesses in a grant body count like bearer failures', async () => {
  const address = '10.5.0.1';
  const admin = (await bearerFor(t.url, await createUser(t.url, 'limit-admin', '$admin'))).secret;
  const connection = await rest(t.url, 'POST', '/api/atlan/connections', { token: admin, body: { name: 'L', qualifiedName: 'default/limit/l' } });
  expect(connection.status).toBe(201);
  const statuses: number[] = [];
  for (let n = 0; n < LIMIT + 2; n++) {
    const response = await post(`/api/atlan/connections/${connection.body.guid}/admins`, address, { apiToken: generateSecret('at') }, { authorization: `Bearer ${admin}` });
    statuses.push(response.status);
  }
  expect(statuses).toEqual([...Array<number>(LIMIT).fill(400), 429, 429]);
  // The admin's own (valid) bearer token from that address is still served.
  expect((await fetch(`${t.url}/api/atlan/connections/${connection.body.guid}`, { headers: from(address, { authorization: `Bearer ${admin}` }) })).status).toBe(200);
});

const wsConnect = (url: string, address: string, token: string) =>
  new Promise<{ code: number; reason: string; acked: boolean }>((resolve) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws', { headers: from(address) });
    let acked = false;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') {
        acked = true;
        socket.close(1000);
      }
    });
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason), acked }));
  });

test('WebSocket connection_init: failures past the limit close with 4429; a valid token from that address connects', async () => {
  const address = '10.6.0.1';
  const connect = (token: string) => wsConnect(t.url, address, token);
  for (let i = 0; i < LIMIT; i++) expect((await connect(generateSecret('at'))).code).toBe(4403);
  const limited = await connect(generateSecret('at'));
  expect(limited.code).toBe(4429);
  expect(limited.reason).toMatch(/retry after \d+ s/);
  expect((await connect(OPERATOR_TOKEN)).acked).toBe(true);
  // The same address on HTTP is over the limit too.
  expect((await viewer(address, generateSecret('at'))).status).toBe(429);
});

test('without KEYGATE_TRUST_PROXY, a changing X-Forwarded-For does not change the limiter key', async () => {
  const untrusting = await startTestGateway({ config: { authFailuresPerMinute: LIMIT } });
  try {
    const attempt = (n: number) =>
      fetch(`${untrusting.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${generateSecret('at')}`, 'x-forwarded-for': `192.0.2.${n}` },
        body: JSON.stringify({ query: '{ viewer { name } }' }),
      });
    for (let n = 0; n < LIMIT; n++) expect((await attempt(n)).status).toBe(401);
    expect((await attempt(99)).status).toBe(429);
    // WebSocket upgrades ignore the header alike.
    expect((await wsConnect(untrusting.url, '192.0.2.100', generateSecret('at'))).code).toBe(4429);
  } finally {
    await untrusting.close();
  }
  // The trusting gateway above keys by the forwarded address: a new one starts afresh.
  for (let n = 0; n < LIMIT; n++) expect((await viewer('10.7.0.1', generateSecret('at'))).status).toBe(401);
  expect((await viewer('10.7.0.2', generateSecret('at'))).status).toBe(401);
  expect(codes(await graphql(t.url, '{ viewer { name } }', {}, OPERATOR_TOKEN))).toEqual([]);
});
