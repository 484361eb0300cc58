import { DirectRoutes } from '../../src/server/direct-routes';
import { basic as basicAuth, createOAuthClient } from '../plugins/alation/alation-support';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';

/**
 * Static POST routes are served on node:http before Express (src/server/direct-routes.ts) when
 * the request is plain, and by Express otherwise. A content type spelled in capitals is the same
 * media type to both, but only Express takes it: each request below is sent both ways, and the
 * two answers must be the same, byte for byte, for every static POST route of every provider.
 */

let t: TestGateway;
/** Whether DirectRoutes served each request, in order (the real method runs; this only records). */
const served: boolean[] = [];
const handle = DirectRoutes.prototype.handle;
jest.spyOn(DirectRoutes.prototype, 'handle').mockImplementation(function (this: DirectRoutes, req, res) {
  const took = handle.call(this, req, res);
  served.push(took);
  return took;
});

beforeAll(async () => {
  t = await startTestGateway({ config: { maxBodyBytes: 64 * 1024, trustProxy: ['loopback'] } });
});
afterAll(() => t.close());

interface Answer {
  status: number;
  headers: Record<string, string | null>;
  body: string;
  direct: boolean;
}

const COMPARED_HEADERS = ['content-type', 'content-length', 'cache-control', 'pragma', 'www-authenticate', 'retry-after', 'allow', 'content-security-policy', 'x-content-type-options'];

async function send(path: string, contentType: string, body: Buffer | string, authorization?: string): Promise<Answer> {
  const before = served.length;
  const response = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': contentType, ...(authorization ? { authorization } : {}) }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const text = await response.text();
  expect(served.length).toBe(before + 1);
  return { status: response.status, headers: Object.fromEntries(COMPARED_HEADERS.map((name) => [name, response.headers.get(name)])), body: text, direct: served[before] };
}

const staticPosts = () => t.gateway.routes.filter((route) => route.method === 'POST' && !route.path.includes(':'));

const JSON_BODIES: (string | Buffer)[] = [
  '',
  '{}',
  '[]',
  '"text"',
  '   ',
  '{"grant_type":"client_credentials"}',
  '{"name":"bad\\u0000name"}',
  '{"broken": ',
  '\ufeff{"a":1}',
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
  '{"a":{"b":{"c":[1,2,{"d":"\\ud800"}]}}}',
];
const FORM_BODIES: (string | Buffer)[] = [
  '',
  'grant_type=client_credentials',
  'grant_type=client_credentials&grant_type=password',
  'token=abc&token_type_hint=access_token',
  'a[b]=1',
  'a%5Bb%5D=1&c=%ZZ',
  'token=%00',
  Array.from({ length: 1001 }, (_, i) => `p${i}=1`).join('&'),
  Buffer.from('token=\xff', 'latin1'),
];

test('every static POST route answers a plain request directly, and exactly as Express answers the same request', async () => {
  const routes = staticPosts();
  // Alation, Atlan and Talend each declare some (token, introspection, validate, …).
  expect([...new Set(routes.map((route) => route.provider))]).toEqual(expect.arrayContaining(['alation', 'atlan', 'talend']));
  let compared = 0;
  for (const route of routes) {
    for (const authorization of [undefined, 'Bearer not-a-real-token-0123456789', `Basic ${Buffer.from('unknown-client:wrong').toString('base64')}`]) {
      for (const [type, shouting, bodies] of [
        ['application/json', 'Application/JSON', JSON_BODIES],
        ['application/x-www-form-urlencoded', 'Application/X-WWW-Form-Urlencoded', FORM_BODIES],
      ] as const) {
        for (const body of bodies) {
          const direct = await send(route.path, type, body, authorization);
          const express = await send(route.path, shouting, body, authorization);
          const label = `${route.provider} POST ${route.path} ${type} ${JSON.stringify(body.toString())} ${authorization ?? 'anonymous'}`;
          expect({ label, direct: direct.direct, express: express.direct }).toEqual({ label, direct: true, express: false });
          expect({ label, ...direct, direct: undefined }).toEqual({ label, ...express, direct: undefined });
          expect({ label, status: direct.status < 500 }).toEqual({ label, status: true });
          compared++;
        }
      }
    }
  }
  expect(compared).toBe(routes.length * 3 * (JSON_BODIES.length + FORM_BODIES.length));
});

test('a successful grant and introspection go the direct way, with the access log and audit origin of the Express way', async () => {
  const client = await createOAuthClient(t.url, 'VIEWER', { name: 'direct-lane' });
  const basic = basicAuth(client.clientId, client.clientSecret);
  const before = served.length;
  const grant = (type: string, requestId: string) =>
    fetch(`${t.url}/oauth/v2/token/`, { method: 'POST', headers: { 'content-type': type, authorization: basic, 'x-forwarded-for': '203.0.113.9', 'x-request-id': requestId }, body: 'grant_type=client_credentials' });
  const direct = await grant('application/x-www-form-urlencoded', 'direct-grant-1');
  expect(direct.status).toBe(200);
  expect(direct.headers.get('cache-control')).toBe('no-store');
  expect(direct.headers.get('x-request-id')).toBe('direct-grant-1');
  const token = ((await direct.json()) as { access_token: string }).access_token;
  const introspection = await fetch(`${t.url}/oauth/v2/introspect`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body: `token=${token}` });
  expect(((await introspection.json()) as { active: boolean }).active).toBe(true);
  expect((await grant('Application/X-WWW-Form-Urlencoded', 'express-grant-1')).status).toBe(200);
  expect(served.slice(before)).toEqual([true, true, false]);
  const lineOf = (requestId: string) => {
    const entry = t.logs.map((text) => JSON.parse(text) as Record<string, unknown>).find((line) => line.requestId === requestId && line.msg === 'request');
    const { requestId: _id, durationMs: _duration, time: _time, ...rest } = entry ?? {};
    return rest;
  };
  expect(lineOf('direct-grant-1')).toMatchObject({ method: 'POST', route: '/oauth/v2/token', status: 200, provider: 'alation' });
  expect(lineOf('direct-grant-1')).toEqual(lineOf('express-grant-1'));
  const audit = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${OPERATOR_TOKEN}` },
    body: JSON.stringify({ query: '{ auditEvents(first: 5) { nodes { action origin } } }' }),
  });
  const nodes = ((await audit.json()) as { data: { auditEvents: { nodes: { action: string; origin: string }[] } } }).data.auditEvents.nodes;
  // KEYGATE_TRUST_PROXY=loopback: the forwarded address is the caller's, on either binding.
  expect(nodes.filter((node) => node.action === nodes[0].action).slice(0, 2).map((node) => node.origin)).toEqual(['rest 203.0.113.9', 'rest 203.0.113.9']);
});
