import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { Client } from 'pg';
import WebSocket from 'ws';
import { percentile } from './load';

/**
 * Revocation-to-delivery latency: two gateway processes on one PostgreSQL, subscribers spread
 * over both, revocations made through one. Baseline: a bare PostgreSQL NOTIFY → LISTEN round trip
 * on the same server, the floor any LISTEN/NOTIFY fan-out sits on.
 */
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const REVOCATIONS = Number(process.env.BENCH_REVOCATIONS ?? 30);
const OPERATOR = 'bench-revocation-operator-token-01';
const BIN = join(__dirname, '..', '..', 'bin', 'keygate.js');

function serve(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', KEYGATE_OPERATOR_TOKEN: OPERATOR, KEYGATE_MASTER_KEY: randomBytes(32).toString('base64'), KEYGATE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /"url":"http:\/\/127\.0\.0\.1:(\d+)\/graphql"/.exec(out);
      if (match) resolve({ child, url: `http://127.0.0.1:${match[1]}` });
    });
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
}

async function gql(url: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${OPERATOR}` }, body: JSON.stringify({ query, variables }) });
  const json = (await res.json()) as { data: any; errors?: unknown };
  if (json.errors) throw new Error(JSON.stringify(json.errors));
  return json.data;
}

async function notifyBaseline(url: string, rounds: number): Promise<number[]> {
  const listener = new Client({ connectionString: url });
  const notifier = new Client({ connectionString: url });
  await Promise.all([listener.connect(), notifier.connect()]);
  await listener.query('LISTEN bench_baseline');
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const arrived = new Promise<void>((resolve) => listener.once('notification', () => resolve()));
    const t0 = process.hrtime.bigint();
    await notifier.query(`NOTIFY bench_baseline, '${i}'`);
    await arrived;
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await Promise.all([listener.end(), notifier.end()]);
  return samples.sort((a, b) => a - b);
}

export async function revocationLatency(): Promise<void> {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  console.log(`\n## Revocation → delivery latency (${SUBSCRIBERS} subscribers over 2 instances, ${REVOCATIONS} revocations through one)`);
  const admin = new Client({ connectionString: base });
  try {
    await admin.connect();
  } catch {
    console.log('skipped: no PostgreSQL server reachable at DATABASE_URL or 127.0.0.1:5432');
    return;
  }
  const name = `keygate_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const gateways: { child: ChildProcess; url: string }[] = [];
  const clients: ReturnType<typeof createClient>[] = [];
  try {
    gateways.push(await serve(url.toString()));
    gateways.push(await serve(url.toString()));
    const [a, b] = gateways;

    const arrivals = new Map<string, bigint[]>();
    let connected = 0;
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const target = i % 2 === 0 ? a : b;
      const client = createClient({ url: target.url.replace('http', 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${OPERATOR}` }, lazy: false, retryAttempts: 0 });
      clients.push(client);
      await new Promise<void>((resolve) => {
        client.on('connected', () => {
          connected++;
          resolve();
        });
        client.subscribe(
          { query: 'subscription { tokenRevoked(provider: TALEND) { subjectId } }' },
          {
            next: (value) => {
              const id = (value.data as { tokenRevoked: { subjectId: string } }).tokenRevoked.subjectId;
              const at = process.hrtime.bigint();
              (arrivals.get(id) ?? arrivals.set(id, []).get(id)!).push(at);
            },
            error: () => undefined,
            complete: () => undefined,
          },
        );
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const user = await gql(a.url, 'mutation { createServiceAccount(input: { provider: TALEND, user: "bench-user", permissions: [] }) { serviceAccount { id } } }');
    const userId = user.createServiceAccount.serviceAccount.id;
    const samples: number[] = [];
    let missing = 0;
    for (let i = 0; i < REVOCATIONS; i++) {
      const token = await gql(a.url, 'mutation($id: ID!) { createAccessToken(input: { serviceAccountId: $id }) { accessToken { id } } }', { id: userId });
      const id = token.createAccessToken.accessToken.id as string;
      const t0 = process.hrtime.bigint();
      await gql(a.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id });
      const deadline = Date.now() + 10_000;
      while ((arrivals.get(id)?.length ?? 0) < SUBSCRIBERS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      const got = arrivals.get(id) ?? [];
      missing += SUBSCRIBERS - got.length;
      for (const at of got) samples.push(Number(at - t0) / 1e6);
    }
    samples.sort((x, y) => x - y);

    // How long a credential cached by instance B stays usable there after A revokes it.
    const windows: number[] = [];
    for (let i = 0; i < 20; i++) {
      const token = await gql(a.url, 'mutation($id: ID!) { createAccessToken(input: { serviceAccountId: $id }) { accessToken { id } secret } }', { id: userId });
      const viewer = () => fetch(`${b.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token.createAccessToken.secret}` }, body: '{"query":"{ viewer { name } }"}' }).then((r) => r.json() as Promise<{ errors?: unknown }>);
      await viewer();
      await viewer();
      const t0 = process.hrtime.bigint();
      await gql(a.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: token.createAccessToken.accessToken.id });
      while (!(await viewer()).errors) await new Promise((resolve) => setTimeout(resolve, 1));
      windows.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    windows.sort((x, y) => x - y);
    const baseline = await notifyBaseline(url.toString(), 200);
    const [p50, p99, b50, b99] = [percentile(samples, 50), percentile(samples, 99), percentile(baseline, 50), percentile(baseline, 99)];
    console.log(`connected subscribers: ${connected}; deliveries: ${samples.length}; missing: ${missing}`);
    console.log(`bare NOTIFY→LISTEN     p50 ${b50.toFixed(2).padStart(7)} ms  p99 ${b99.toFixed(2).padStart(7)} ms`);
    console.log(`revoke → subscriber    p50 ${p50.toFixed(2).padStart(7)} ms  p99 ${p99.toFixed(2).padStart(7)} ms  (from the revoking request's start, both instances)`);
    console.log(`ratio keygate/bare NOTIFY: p50 ${(p50 / b50).toFixed(1)}×, p99 ${(p99 / b99).toFixed(1)}×`);
    console.log(`revoked on A → refused on B (cached there): median ${percentile(windows, 50).toFixed(1)} ms, max ${windows[windows.length - 1].toFixed(1)} ms over ${windows.length} tries (includes the revoking request)`);
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    for (const g of gateways) g.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
