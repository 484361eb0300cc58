import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { refusedRange } from '../../src/core';
import { createDurableTestDatabase, createTestDatabase, onPostgres, type TestDatabase } from '../support/database';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { exampleAccountWithToken } from '../support/example-flow';
import { codes, expectOk, graphql } from '../support/graphql';
import { sample, scrape } from '../support/prometheus';
import { recordSecret } from '../support/suite-scan';

const SHORT_RETRY = { firstMs: 20, maxMs: 100, windowMs: 24 * 3600_000 };
// Restarts and several gateways per test: slow on a shared machine with embedded PGlite.
jest.setTimeout(180_000);

/** Polls until `check` holds (the condition is the assertion; the deadline only stops a hang). */
async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, deadlineMs = 90_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback that answers `status` (200 unless told otherwise) and keeps every request. */
class Receiver {
  readonly requests: Received[] = [];
  status = 200;
  private server: Server | null = null;
  port = 0;

  async up(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(this.status).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }
}

const CREATE = `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id url cursor status } secret } }`;
const DELIVERIES = `query($id: ID!) { webhookDeliveries(webhookId: $id, first: 1000) { totalCount nodes { eventCursor eventType attempt outcome statusCode error attemptedAt nextRetryAt } } }`;
const WEBHOOKS = `{ webhooks { id status cursor auditCursor attempts failingSince nextAttemptAt } }`;

async function createAccount(url: string, name: string): Promise<void> {
  expectOk(await graphql(url, `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { serviceAccount { id } } }`, { input: { provider: 'EXAMPLE', name } }, OPERATOR_TOKEN));
}

async function deliveries(url: string, id: string) {
  return expectOk(await graphql(url, DELIVERIES, { id }, OPERATOR_TOKEN)).webhookDeliveries.nodes as {
    eventCursor: string;
    eventType: string;
    attempt: number;
    outcome: string;
    statusCode: number | null;
    error: string | null;
    nextRetryAt: string | null;
  }[];
}

let database: TestDatabase;

beforeAll(async () => {
  database = await createDurableTestDatabase('webhooks');
});
afterAll(() => database.drop());

test('a receiver that is down while keygate restarts gets every event, signed, in cursor order, none missing', async () => {
  const receiver = new Receiver();
  await receiver.up();
  const config = { webhookAllowPrivate: true, webhookRetry: SHORT_RETRY };
  let t: TestGateway = await startTestGateway({ database, config });
  try {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${OPERATOR_TOKEN}` },
      body: JSON.stringify({ query: CREATE, variables: { input: { url: receiver.url } } }),
    });
    expect(response.headers.get('cache-control')).toBe('no-store');
    const created = ((await response.json()) as { data: { createWebhook: { webhook: { id: string; url: string; cursor: string; status: string }; secret: string } } }).data.createWebhook;
    recordSecret(created.secret);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.webhook).toMatchObject({ url: receiver.url, status: 'ACTIVE' });
    const id: string = created.webhook.id;
    const start: string = created.webhook.cursor;

    // Up: delivered as they happen.
    for (let i = 0; i < 3; i++) await createAccount(t.url, `hooked-up-${i}`);
    await eventually(async () => receiver.requests.length >= 3, 'the first three deliveries');

    // Down: attempts fail and are retried with a next retry time.
    await receiver.down();
    for (let i = 0; i < 3; i++) await createAccount(t.url, `hooked-down-${i}`);
    const failed = await eventually(async () => (await deliveries(t.url, id)).find((d) => d.outcome === 'FAILED'), 'a failed attempt');
    expect(failed.statusCode).toBeNull();
    expect(failed.error).toMatch(/ECONNREFUSED/);
    expect(failed.nextRetryAt).not.toBeNull();

    // keygate restarts while the receiver is still down, and more happens meanwhile.
    t = await t.restart();
    for (let i = 0; i < 3; i++) await createAccount(t.url, `hooked-restarted-${i}`);
    const retried = await eventually(async () => (await deliveries(t.url, id)).find((d) => d.outcome === 'FAILED' && d.attempt >= 3), 'retries after the restart');
    expect(retried.eventCursor).toBe(failed.eventCursor);
    const [pending] = expectOk(await graphql(t.url, WEBHOOKS, {}, OPERATOR_TOKEN)).webhooks;
    expect(pending.attempts).toBeGreaterThanOrEqual(3);
    expect(pending.failingSince).not.toBeNull();
    expect(pending.nextAttemptAt).not.toBeNull();
    expect(pending.status).toBe('ACTIVE');

    // Back up: everything since the webhook was made arrives, in log order.
    await receiver.up();
    const log = await t.gateway.core.events.history(start);
    expect(log).toHaveLength(9);
    await eventually(async () => new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size >= 9, 'all nine events');

    const verifier = new Webhook(created.secret);
    const ids: string[] = [];
    for (const request of receiver.requests) {
      const payload = verifier.verify(request.body, request.headers as Record<string, string>) as Record<string, any>;
      expect(request.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
      expect(payload).toMatchObject({ specversion: '1.0', id: request.headers['webhook-id'], type: `dev.keygate.token.${payload.data.kind.toLowerCase()}` });
      expect(payload.data.cursor).toBe(payload.id);
      expect(Date.parse(payload.time)).not.toBeNaN();
      // A duplicate only repeats the delivery just before it (same webhook-id).
      if (ids[ids.length - 1] !== payload.id) ids.push(payload.id);
    }
    expect(ids).toEqual(log.map((e) => e.cursor));
    // A signature with another secret is refused.
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(receiver.requests[0].body, receiver.requests[0].headers as Record<string, string>)).toThrow();

    // Progress is written in batches: once the cursor is stored, so are the attempts before it.
    const done = await eventually(async () => {
      const [hook] = expectOk(await graphql(t.url, WEBHOOKS, {}, OPERATOR_TOKEN)).webhooks;
      return hook.cursor === ids[ids.length - 1] && hook;
    }, 'the stored cursor');
    expect(done).toMatchObject({ status: 'ACTIVE', attempts: 0, failingSince: null, nextAttemptAt: null });
    const attempts = await deliveries(t.url, id);
    expect(attempts.filter((d) => d.outcome === 'DELIVERED').map((d) => d.eventCursor).reverse()).toEqual(ids);
    expect(attempts.filter((d) => d.outcome === 'DELIVERED').every((d) => d.statusCode === 200 && d.nextRetryAt === null)).toBe(true);
  } finally {
    await t.gateway.stop();
    await receiver.down();
  }
});

test('after the retry window the webhook is marked FAILING (an event says so), keeps its cursor, and recovers', async () => {
  const receiver = new Receiver();
  receiver.status = 503;
  await receiver.up();
  const t = await startTestGateway({ config: { webhookAllowPrivate: true, webhookRetry: SHORT_RETRY } });
  try {
    const created = expectOk(await graphql(t.url, CREATE, { input: { url: receiver.url, kinds: ['CREATED'] } }, OPERATOR_TOKEN)).createWebhook;
    recordSecret(created.secret);
    const id: string = created.webhook.id;
    await createAccount(t.url, 'failing-0');
    const first = await eventually(async () => (await deliveries(t.url, id)).find((d) => d.outcome === 'FAILED'), 'a failed attempt');
    expect(first.statusCode).toBe(503);

    // A day passes (on keygate's clock) with the receiver still failing.
    t.clock.advance(24 * 3600_000 + 1000);
    const failing = await eventually(async () => {
      const [hook] = expectOk(await graphql(t.url, WEBHOOKS, {}, OPERATOR_TOKEN)).webhooks;
      return hook.status === 'FAILING' && hook;
    }, 'the FAILING status');
    expect(failing.cursor).toBe(created.webhook.cursor);
    const [event] = (await t.gateway.core.events.history(created.webhook.cursor, { kinds: ['WEBHOOK_FAILING'] })).filter((e) => e.subjectId === id);
    expect(event).toMatchObject({ kind: 'WEBHOOK_FAILING', subjectType: 'WEBHOOK', subjectId: id });
    const audit = await t.gateway.db.dataSource.query(`SELECT action, outcome FROM audit_event WHERE target = $1 AND action = 'webhook.failing'`, [id]);
    expect(audit).toEqual([{ action: 'webhook.failing', outcome: 'failed' }]);

    // The receiver recovers: the same event is delivered (the failing webhook filters on CREATED, so not its own event).
    receiver.status = 204;
    await eventually(async () => receiver.requests.some((r, i) => i > 0 && r.headers['webhook-id'] === receiver.requests[0].headers['webhook-id']) && receiver.requests.length, 'the retry that succeeds');
    const recovered = await eventually(async () => {
      const [hook] = expectOk(await graphql(t.url, WEBHOOKS, {}, OPERATOR_TOKEN)).webhooks;
      return hook.status === 'ACTIVE' && hook;
    }, 'ACTIVE again');
    expect(recovered.cursor).toBe(receiver.requests[0].headers['webhook-id']);
    expect(t.logs.filter((line) => line.includes('webhook failing'))).toHaveLength(1);
    const metrics = await scrape(t.url);
    expect(sample(metrics, 'keygate_webhook_deliveries_total', { outcome: 'failed' })).toBeGreaterThanOrEqual(2);
    expect(sample(metrics, 'keygate_webhook_deliveries_total', { outcome: 'delivered' })).toBe(1);
  } finally {
    await t.close();
    await receiver.down();
  }
});

test('destinations: https expected, private and loopback refused with BAD_USER_INPUT unless the flag allows them', async () => {
  const t = await startTestGateway();
  try {
    for (const url of ['https://127.0.0.1/hook', 'https://localhost:8443/hook', 'https://[::1]/hook', 'https://169.254.169.254/latest', 'https://10.1.2.3/', 'https://[::ffff:127.0.0.1]/', 'http://example.com/hook', 'ftp://example.com/', 'not a url', 'https://user:pw@example.com/']) {
      const response = await graphql(t.url, CREATE, { input: { url } }, OPERATOR_TOKEN);
      expect({ url, codes: codes(response) }).toEqual({ url, codes: ['BAD_USER_INPUT'] });
      expect(response.raw).not.toMatch(/at .*\.ts:\d+/);
    }
    expect(expectOk(await graphql(t.url, WEBHOOKS, {}, OPERATOR_TOKEN)).webhooks).toEqual([]);
    expect(codes(await graphql(t.url, CREATE, { input: { url: 'https://example.com/hook' } }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await graphql(t.url, DELIVERIES, { id: '00000000-0000-4000-8000-000000000000' }, OPERATOR_TOKEN))).toEqual(['NOT_FOUND']);
    expect(codes(await graphql(t.url, `mutation { deleteWebhook(id: "nope") { deletedWebhookId } }`, {}, OPERATOR_TOKEN))).toEqual(['NOT_FOUND']);
  } finally {
    await t.close();
  }
  expect(['127.0.0.1', '::1', '10.0.0.1', '172.16.0.1', '192.168.1.1', '169.254.169.254', 'fe80::1', 'fc00::1', '0.0.0.0', '::ffff:10.0.0.1', '100.64.0.1'].map(refusedRange).every(Boolean)).toBe(true);
  expect(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'].map(refusedRange)).toEqual([null, null]);
});

test("a principal's webhook receives only what that principal may see, and it manages only its own", async () => {
  const mine = new Receiver();
  const all = new Receiver();
  await mine.up();
  await all.up();
  const t = await startTestGateway({ config: { webhookAllowPrivate: true, webhookRetry: SHORT_RETRY } });
  try {
    const member = await exampleAccountWithToken(t.url, 'hook-member', 'MEMBER');
    const operatorHook = expectOk(await graphql(t.url, CREATE, { input: { url: all.url } }, OPERATOR_TOKEN)).createWebhook;
    const memberHook = expectOk(await graphql(t.url, CREATE, { input: { url: mine.url } }, member.token)).createWebhook;
    recordSecret(operatorHook.secret);
    recordSecret(memberHook.secret);
    expect(codes(await graphql(t.url, CREATE, { input: { url: mine.url, audit: true } }, member.token))).toEqual(['FORBIDDEN']);

    // Someone else's account and tokens, then one event about the member itself, last.
    await exampleAccountWithToken(t.url, 'hook-other', 'MEMBER');
    const refresh = expectOk(
      await graphql(t.url, `mutation($input: CreateRefreshTokenInput!) { createRefreshToken(input: $input) { refreshToken { id } } }`, { input: { serviceAccountId: member.id, name: 'second' } }, OPERATOR_TOKEN),
    ).createRefreshToken.refreshToken.id;

    const body = (r: Received) => JSON.parse(r.body) as { data: { serviceAccountId: string; subjectId: string } };
    await eventually(async () => mine.requests.some((r) => body(r).data.subjectId === refresh), "the member's own event");
    await eventually(async () => all.requests.some((r) => body(r).data.subjectId === refresh), "the operator's copy");
    expect(new Set(mine.requests.map((r) => body(r).data.serviceAccountId))).toEqual(new Set([member.id]));
    expect(all.requests.length).toBeGreaterThan(mine.requests.length);
    for (const r of mine.requests) new Webhook(memberHook.secret).verify(r.body, r.headers as Record<string, string>);

    expect(expectOk(await graphql(t.url, WEBHOOKS, {}, member.token)).webhooks.map((w: { id: string }) => w.id)).toEqual([memberHook.webhook.id]);
    expect(expectOk(await graphql(t.url, WEBHOOKS, {}, OPERATOR_TOKEN)).webhooks).toHaveLength(2);
    const deleteHook = `mutation($id: ID!) { deleteWebhook(id: $id) { deletedWebhookId } }`;
    expect(codes(await graphql(t.url, deleteHook, { id: operatorHook.webhook.id }, member.token))).toEqual(['NOT_FOUND']);
    expect(codes(await graphql(t.url, DELIVERIES, { id: operatorHook.webhook.id }, member.token))).toEqual(['NOT_FOUND']);
    // One principal keeps at most 25 (the operator's do not count against it).
    for (let i = 1; i < 25; i++) expectOk(await graphql(t.url, CREATE, { input: { url: `${mine.url}/${i}`, kinds: ['SECRET_CHANGED'] } }, member.token));
    expect(codes(await graphql(t.url, CREATE, { input: { url: mine.url } }, member.token))).toEqual(['BAD_USER_INPUT']);
    expect(expectOk(await graphql(t.url, deleteHook, { id: memberHook.webhook.id }, member.token)).deleteWebhook.deletedWebhookId).toBe(memberHook.webhook.id);
    expect(expectOk(await graphql(t.url, WEBHOOKS, {}, member.token)).webhooks.map((w: { id: string }) => w.id)).not.toContain(memberHook.webhook.id);
    const [{ created, deleted }] = await t.gateway.db.dataSource.query(
      `SELECT count(*) FILTER (WHERE action = 'webhook.create')::int AS created, count(*) FILTER (WHERE action = 'webhook.delete')::int AS deleted FROM audit_event WHERE outcome = 'success'`,
    );
    expect({ created, deleted }).toEqual({ created: 26, deleted: 1 });
  } finally {
    await t.close();
    await mine.down();
    await all.down();
  }
});

(onPostgres ? test : test.skip)('two instances on one PostgreSQL: one delivers each webhook at a time, the other takes over when it stops', async () => {
  const receiver = new Receiver();
  await receiver.up();
  const shared = await createTestDatabase();
  const config = { webhookAllowPrivate: true, webhookRetry: SHORT_RETRY };
  const a = await startTestGateway({ database: shared, config });
  const b = await startTestGateway({ database: shared, config });
  try {
    const created = expectOk(await graphql(a.url, CREATE, { input: { url: receiver.url } }, OPERATOR_TOKEN)).createWebhook;
    recordSecret(created.secret);
    for (let i = 0; i < 6; i++) await createAccount((i % 2 ? b : a).url, `cluster-${i}`);
    // The history lists settled events only: B's last commit may still sit above the horizon (behind
    // another instance's background transaction) for a moment after its request answered.
    await a.gateway.core.events.settle();
    const log = await a.gateway.core.events.history(created.webhook.cursor);
    await eventually(async () => receiver.requests.length >= log.length, 'every event once');
    // Receiver up the whole time: exactly once each, in log order, whichever instance delivered.
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(log.map((e) => e.cursor));
    const owners = await a.gateway.db.dataSource.query(`SELECT lease_owner FROM webhook`);
    expect(owners).toHaveLength(1);
    expect(owners[0].lease_owner).not.toBeNull();

    await a.gateway.stop();
    for (let i = 0; i < 3; i++) await createAccount(b.url, `cluster-after-${i}`);
    const after = await b.gateway.core.events.history(created.webhook.cursor);
    await eventually(async () => receiver.requests.length >= after.length, 'the events after the first instance stopped');
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(after.map((e) => e.cursor));
  } finally {
    await a.gateway.stop();
    await b.gateway.stop();
    await shared.drop();
    await receiver.down();
  }
});

test('an audit webhook (operator only) receives sealed audit records as dev.keygate.audit, signed, in chain order', async () => {
  const receiver = new Receiver();
  await receiver.up();
  const t = await startTestGateway({ config: { webhookAllowPrivate: true, webhookRetry: SHORT_RETRY } });
  try {
    const created = expectOk(await graphql(t.url, CREATE, { input: { url: receiver.url, kinds: ['SECRET_CHANGED'], audit: true } }, OPERATOR_TOKEN)).createWebhook;
    recordSecret(created.secret);
    await createAccount(t.url, 'audited-0');
    expect(codes(await graphql(t.url, `mutation { deleteServiceAccount(id: "00000000-0000-4000-8000-000000000000") { deletedServiceAccountId } }`, {}, OPERATOR_TOKEN))).toEqual(['NOT_FOUND']);
    await createAccount(t.url, 'audited-1');

    const verifier = new Webhook(created.secret);
    const records = await eventually(async () => {
      const payloads = receiver.requests.map((r) => verifier.verify(r.body, r.headers as Record<string, string>) as { id: string; type: string; data: Record<string, any> });
      return payloads.filter((p) => p.data.action === 'serviceAccount.create').length >= 2 && payloads;
    }, 'the audit records');
    expect(new Set(records.map((p) => p.type))).toEqual(new Set(['dev.keygate.audit']));
    // The creating mutation's own row comes first; then every row in chain order, no gap.
    expect(records[0].data).toMatchObject({ action: 'webhook.create', target: created.webhook.id, outcome: 'success' });
    const seqs = records.map((p) => Number(p.data.seq));
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
    expect(records.map((p) => p.id)).toEqual(seqs.map((seq) => `audit-${seq}`));
    for (let i = 1; i < records.length; i++) expect(records[i].data.prevHash).toBe(records[i - 1].data.hash);
    expect(records.map((p) => `${p.data.action} ${p.data.outcome}`)).toEqual(expect.arrayContaining(['serviceAccount.create success']));
    // The kinds filter applies to token events only: no CREATED event was sent.
    expect(records.some((p) => p.type.startsWith('dev.keygate.token.'))).toBe(false);
    const last = String(seqs[seqs.length - 1]);
    await eventually(async () => Number(expectOk(await graphql(t.url, WEBHOOKS, {}, OPERATOR_TOKEN)).webhooks[0].auditCursor) >= Number(last), 'the stored audit cursor');
  } finally {
    await t.close();
    await receiver.down();
  }
});
