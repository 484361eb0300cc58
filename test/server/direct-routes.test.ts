import { connect } from 'node:net';
import { oauthErrors } from '../../src/plugins/alation/oauth/oauth.mapper';
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

/** Every header but those that differ per request or per connection. */
const UNCOMPARED_HEADERS = new Set(['date', 'x-request-id', 'keep-alive', 'connection']);

async function send(path: string, contentType: string, body: Buffer | string, authorization?: string, extra: Record<string, string> = {}): Promise<Answer> {
  const before = served.length;
  const response = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': contentType, ...(authorization ? { authorization } : {}), ...extra }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const text = await response.text();
  expect(served.length).toBe(before + 1);
  return { status: response.status, headers: Object.fromEntries([...response.headers].filter(([name]) => !UNCOMPARED_HEADERS.has(name))), body: text, direct: served[before] };
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
  // Echoed in the answer (Talend's unsupported grant type): the parsed value itself is compared.
  '{"grant_type":"a b+c\\u00e9","audience":"x"}',
];
const FORM_BODIES: (string | Buffer)[] = [
  '',
  'grant_type=client_credentials',
  'grant_type=client_credentials&grant_type=password',
  // Echoed in the answer (Alation's unsupported grant type): '+', escapes, a bad escape, UTF-8.
  'grant_type=a+b%2Bc%20%ZZ',
  'grant_type=%C3%A9t%C3%A9',
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

test('only the plain case goes direct: the rest reaches Express and is answered there', async () => {
  const form = 'application/x-www-form-urlencoded';
  const direct = [
    { path: '/oauth/v2/token/', type: form },
    { path: '/oauth/v2/token', type: `${form}; charset=utf-8` },
    { path: '/security/oauth/token', type: 'application/json;charset=utf-8', body: '{}' },
  ];
  const viaExpress = [
    { path: '/OAuth/v2/token/', type: form },
    { path: '/oauth/v2/token/?x=1', type: form },
    { path: '/oauth/v2/token/', type: `${form}; charset=UTF-8` },
    { path: '/oauth/v2/token/', type: form, headers: { 'content-encoding': 'identity' } },
    { path: '/oauth/v2/token/', type: form, body: `grant_type=${'x'.repeat(64 * 1024)}` },
  ];
  for (const [cases, expected] of [[direct, true], [viaExpress, false]] as const) {
    for (const { path, type, body, headers } of cases as { path: string; type: string; body?: string; headers?: Record<string, string> }[]) {
      const answer = await send(path, type, body ?? 'grant_type=password', undefined, headers);
      expect({ path, type, headers, direct: answer.direct, ok: answer.status < 500 }).toEqual({ path, type, headers, direct: expected, ok: true });
    }
  }
});

test('an upload cut short is logged as Express logs it (400), on either binding', async () => {
  const port = Number(new URL(t.url).port);
  const cut = (type: string, requestId: string) =>
    new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`POST /oauth/v2/token HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: 100\r\nx-request-id: ${requestId}\r\n\r\ntoken=`);
        setTimeout(() => socket.destroy(), 100);
      });
      socket.on('close', () => resolve());
    });
  const lineOf = async (requestId: string) => {
    for (let waited = 0; waited < 2000; waited += 50) {
      const entry = t.logs.map((text) => JSON.parse(text) as Record<string, unknown>).find((line) => line.requestId === requestId && line.msg === 'request');
      if (entry) return { level: entry.level, status: entry.status, route: entry.route };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return null;
  };
  await cut('application/x-www-form-urlencoded', 'cut-direct');
  await cut('Application/X-WWW-Form-Urlencoded', 'cut-express');
  expect(await lineOf('cut-direct')).toEqual(await lineOf('cut-express'));
  expect(await lineOf('cut-direct')).toMatchObject({ status: 400, route: '/oauth/v2/token' });
});

test('a vendor error shape that throws once is rendered again as a 500 in that shape, on either binding', async () => {
  const real = oauthErrors.render.bind(oauthErrors);
  const answers: Answer[] = [];
  for (const type of ['application/x-www-form-urlencoded', 'Application/X-WWW-Form-Urlencoded']) {
    const render = jest.spyOn(oauthErrors, 'render').mockImplementationOnce(() => {
      throw new Error('a bug in the error shape');
    });
    render.mockImplementation(real);
    answers.push(await send('/oauth/v2/token', type, 'grant_type=client_credentials'));
    render.mockRestore();
  }
  expect(answers.map((answer) => answer.direct)).toEqual([true, false]);
  expect({ ...answers[0], direct: undefined }).toEqual({ ...answers[1], direct: undefined });
  expect(answers[0]).toMatchObject({ status: 500, body: JSON.stringify({ error: 'server_error', error_description: 'Internal server error.' }) });
});
