import { randomUUID } from 'node:crypto';
import { exampleAccountWithToken } from '../support/example-flow';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { expectOk, graphql } from '../support/graphql';
import { sample, scrape } from '../support/prometheus';
import { subscribe } from '../support/ws';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const linesWith = (requestId: string) => t.logs.map((line) => JSON.parse(line)).filter((line) => line.requestId === requestId);

/** The access-log line of a request, once its response has finished. */
async function accessLine(requestId: string) {
  for (let i = 0; i < 50; i++) {
    const line = linesWith(requestId).find((l) => l.msg === 'request' || l.msg === 'request failed');
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no access line for ${requestId}`);
}

describe('request ids', () => {
  test('the caller’s sane x-request-id is echoed on GraphQL, REST and health responses, and is in every log line of the request', async () => {
    const id = `trace-${randomUUID()}`;
    const gql = await graphql(t.url, 'query Whoami { viewer { name } }', {}, OPERATOR_TOKEN, { 'x-request-id': id });
    expect(gql.status).toBe(200);
    const access = await accessLine(id);
    expect(access).toMatchObject({ level: 'info', method: 'POST', route: '/graphql', status: 200, actor: 'operator', operation: 'Whoami', requestId: id });
    expect(typeof access.durationMs).toBe('number');

    const rest = await fetch(`${t.url}/example/whoami`, { headers: { 'x-request-id': `${id}-rest`, authorization: 'Bearer kgat_not-a-real-token-000000000000000000000' } });
    expect(rest.headers.get('x-request-id')).toBe(`${id}-rest`);
    const failed = linesWith(`${id}-rest`);
    // The authentication failure logged inside the request carries the request's id without being passed it.
    expect(failed.map((l) => l.msg)).toEqual(expect.arrayContaining(['authentication failed', 'request']));
    expect(await accessLine(`${id}-rest`)).toMatchObject({ level: 'warn', route: '/example/whoami', provider: 'example', status: 401, actor: 'anonymous' });

    const health = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': `${id}-health` } });
    expect(health.headers.get('x-request-id')).toBe(`${id}-health`);
    expect((await accessLine(`${id}-health`)).level).toBe('debug');
  });

  test('a missing or insane x-request-id gets a new one; unmatched paths are logged as unmatched, never raw', async () => {
    for (const sent of [undefined, 'has spaces in it', 'x'.repeat(200), 'quote"inside']) {
      const response = await fetch(`${t.url}/no/such/${randomUUID()}`, { headers: sent ? { 'x-request-id': sent } : {} });
      expect(response.status).toBe(404);
      const id = response.headers.get('x-request-id')!;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await accessLine(id)).toMatchObject({ route: 'unmatched', status: 404 });
    }
  });

  test('WebSocket upgrades carry an x-request-id too', async () => {
    const { default: WebSocket } = await import('ws');
    const socket = new WebSocket(t.url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws', { headers: { 'x-request-id': 'ws-upgrade-1' } });
    const header = await new Promise<string | undefined>((resolve, reject) => {
      socket.once('upgrade', (response) => resolve(response.headers['x-request-id'] as string | undefined));
      socket.once('error', reject);
    });
    socket.close();
    expect(header).toBe('ws-upgrade-1');
  });
});

describe('/metrics', () => {
  test('parses as Prometheus text, and its counters move with traffic', async () => {
    const before = await scrape(t.url);
    const account = await exampleAccountWithToken(t.url, `metrics-${randomUUID().slice(0, 8)}`);
    for (let i = 0; i < 3; i++) expectOk(await graphql(t.url, 'query Me { viewer { name } }', {}, account.token));
    await graphql(t.url, '{ viewer { name } }', {}, 'kgat_definitely-not-valid-00000000000000000000000');
    await fetch(`${t.url}/example/whoami`, { headers: { authorization: 'Bearer nope-nope-nope' } });
    await fetch(`${t.url}/api/service/apikeys/${randomUUID()}`, { method: 'DELETE', headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
    const watcher = await subscribe(t.url, OPERATOR_TOKEN, 'subscription { tokenEvents { cursor kind } }');
    expectOk(await graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: account.accessTokenId }, OPERATOR_TOKEN));
    await watcher.next(1);
    const after = await scrape(t.url);
    watcher.dispose();

    const delta = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('keygate_tokens_issued_total', { provider: 'example', kind: 'refresh' })).toBe(1);
    expect(delta('keygate_tokens_issued_total', { provider: 'example', kind: 'access' })).toBe(1);
    expect(delta('keygate_events_appended_total', { kind: 'CREATED' })).toBe(3);
    expect(delta('keygate_events_appended_total', { kind: 'REVOKED' })).toBe(1);
    expect(delta('keygate_graphql_operations_total', { operation: 'Me', type: 'query', outcome: 'ok' })).toBe(3);
    expect(delta('keygate_http_requests_total', { route: '/graphql', method: 'POST', status: '401' })).toBe(1);
    expect(delta('keygate_auth_failures_total', { face: 'graphql' })).toBe(1);
    expect(delta('keygate_auth_failures_total', { face: 'rest' })).toBe(1);
    expect(delta('keygate_credential_cache_lookups_total', { result: 'hit' })).toBeGreaterThanOrEqual(2);
    expect(delta('keygate_http_requests_total', { route: '/graphql', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(6);
    expect(delta('keygate_http_requests_total', { route: '/example/whoami', method: 'GET', status: '401' })).toBe(1);
    expect(delta('keygate_http_requests_total', { route: '/api/service/apikeys/:guid', method: 'DELETE', status: '404' })).toBe(1);
    expect(delta('keygate_http_request_duration_seconds', { route: '/graphql', method: 'POST' })).toBeGreaterThanOrEqual(7);
    expect(delta('keygate_event_delivery_lag_seconds')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'keygate_subscriptions', { instance: t.gateway.metrics.instance })).toBe(1);
    expect(sample(after, 'keygate_db_pool_connections', { state: 'waiting' })).toBe(0);
    expect(after.types.get('keygate_http_request_duration_seconds')).toBe('histogram');
    expect(after.types.get('keygate_event_delivery_lag_seconds')).toBe('histogram');
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) expect(after.types.has(name)).toBe(true);

    // Labels are bounded: route templates, never a raw path with an id.
    const routes = after.samples.filter((s) => s.name === 'keygate_http_requests_total').map((s) => s.labels.route);
    for (const route of routes) expect(route).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  test('operation names are labels only while plain and few', async () => {
    await graphql(t.url, 'query q_1 { viewer { name } }', {}, OPERATOR_TOKEN);
    const families = await scrape(t.url);
    expect(sample(families, 'keygate_graphql_operations_total', { operation: 'q_1', type: 'query', outcome: 'ok' })).toBe(1);
  });
});

describe('KEYGATE_MANAGEMENT_PORT', () => {
  test('moves /metrics, /healthz and /readyz to their own port', async () => {
    const m = await startTestGateway({ config: { managementPort: 0 } });
    try {
      expect(m.gateway.managementUrl).not.toBe(m.url);
      for (const path of ['/metrics', '/healthz', '/readyz']) {
        expect((await fetch(`${m.url}${path}`)).status).toBe(404);
        const response = await fetch(`${m.gateway.managementUrl}${path}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('x-request-id')).toBeTruthy();
      }
      expect((await fetch(`${m.gateway.managementUrl}/graphql`)).status).toBe(404);
      await graphql(m.url, '{ viewer { name } }', {}, OPERATOR_TOKEN);
      expect(sample(await scrape(m.gateway.managementUrl), 'keygate_http_requests_total', { route: '/graphql', method: 'POST', status: '200' })).toBe(1);
    } finally {
      await m.close();
    }
  });
});
