import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { runLoad, type LoadResult } from './load';
import { revocationLatency } from './revocation';
import { BENCH_OPERATOR_TOKEN, startKeygate } from './servers';

/**
 * `npm run bench`. Every figure is printed next to a baseline measured in the same run, because
 * these machines are noisy: compare ratios, not absolute numbers.
 */
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** On PostgreSQL every benchmark gets a database of its own, dropped afterwards. */
async function withScratchDatabase<T>(work: (url: string | undefined) => Promise<T>): Promise<T> {
  const base = process.env.DATABASE_URL;
  if (!base) return work(undefined);
  const name = `keygate_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

function startServer(which: 'baseline' | 'keygate', databaseUrl?: string): Promise<{ child: ChildProcess; url: string; token?: string }> {
  const env = { ...process.env, DATABASE_URL: databaseUrl ?? '' };
  const child = spawn(process.execPath, [join(__dirname, 'servers.js'), which], { stdio: ['ignore', 'pipe', 'inherit'], env });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, ...JSON.parse(line) });
    });
    child.on('exit', (code) => reject(new Error(`${which} server exited with ${code}`)));
  });
}

const fmt = (r: LoadResult) => `${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms  (${r.requests} requests, ${r.errors} errors)`;

async function throughput(databaseUrl?: string) {
  console.log(`\n## Authenticated GraphQL query vs bare Apollo (${CONCURRENCY} clients, ${ROUNDS} × ${DURATION_MS / 1000}s each, interleaved)`);
  const [baseline, keygate] = await Promise.all([startServer('baseline'), startServer('keygate', databaseUrl)]);
  const body = JSON.stringify({ query: '{ viewer { name } }' });
  const runs: { baseline: LoadResult[]; keygate: LoadResult[] } = { baseline: [], keygate: [] };
  try {
    await runLoad(baseline.url, body, {}, { concurrency: CONCURRENCY, durationMs: 1000 });
    await runLoad(keygate.url, body, { authorization: `Bearer ${keygate.token}` }, { concurrency: CONCURRENCY, durationMs: 1000 });
    for (let round = 0; round < ROUNDS; round++) {
      runs.baseline.push(await runLoad(baseline.url, body, {}, { concurrency: CONCURRENCY, durationMs: DURATION_MS }));
      runs.keygate.push(await runLoad(keygate.url, body, { authorization: `Bearer ${keygate.token}` }, { concurrency: CONCURRENCY, durationMs: DURATION_MS }));
    }
  } finally {
    baseline.child.kill();
    keygate.child.kill();
  }
  const best = (rs: LoadResult[]) => rs.reduce((a, b) => (b.rps > a.rps ? b : a));
  const b = best(runs.baseline);
  const k = best(runs.keygate);
  console.log(`bare Apollo   ${fmt(b)}`);
  console.log(`keygate       ${fmt(k)}`);
  console.log(`ratio keygate/bare: throughput ${(k.rps / b.rps).toFixed(2)}×, p50 ${(k.p50 / b.p50).toFixed(2)}×, p99 ${(k.p99 / b.p99).toFixed(2)}×`);
}

async function statementCounts(databaseUrl?: string) {
  console.log('\n## SQL statements for one list query (accounts with permissions, personas, refresh and access tokens)');
  const gateway = await startKeygate({ countStatements: true, databaseUrl: databaseUrl ?? '' });
  try {
    const call = async (query: string, variables: Record<string, unknown> = {}) => {
      const res = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_OPERATOR_TOKEN}` }, body: JSON.stringify({ query, variables }) });
      const json = (await res.json()) as { data: any; errors?: unknown };
      if (json.errors) throw new Error(JSON.stringify(json.errors));
      return json.data;
    };
    await call('mutation { createPersona(input: { provider: EXAMPLE, name: "Bench" }) { id } }');
    const plugin = gateway.providers.get('example');
    const ctx = { actor: await gateway.core.credentials.resolve(BENCH_OPERATOR_TOKEN), origin: 'bench' };
    await gateway.core.change(ctx, { provider: plugin, action: 'bench.seed' }, async (scope) => {
      const accounts = await gateway.core.principals.create(
        scope,
        plugin,
        Array.from({ length: 1000 }, (_, i) => ({ kind: 'service_account', name: `bench-${i}`, role: 'MEMBER', permissions: ['EXAMPLE_READ'], personaQualifiedNames: ['default/bench'] })),
      );
      for (const { record } of accounts) {
        const refresh = await gateway.core.tokens.issueRefreshToken(scope, plugin, record, 'bench');
        await gateway.core.tokens.issueAccessToken(scope, plugin, record, { kind: 'access', refreshTokenId: refresh.record.id });
      }
    });
    const query = `query($first: Int!) { serviceAccounts(provider: EXAMPLE, first: $first) { totalCount nodes { id name permissions { id } personas { qualifiedName }
      refreshTokens { id status accessToken { id status } } accessTokens { id status refreshToken { id } owner { id } } } } }`;
    for (const first of [10, 1000]) {
      // The event tailer's reads (catching up, or its 5 s poll) would count too: settle, best of three.
      const counts: number[] = [];
      let returned = 0;
      for (let run = 0; run < 3; run++) {
        await gateway.core.events.settle();
        const before = gateway.db.statementCount;
        returned = (await call(query, { first })).serviceAccounts.nodes.length;
        counts.push(gateway.db.statementCount - before);
      }
      console.log(`${String(first).padStart(5)} rows: ${Math.min(...counts)} statements (${returned} accounts returned)`);
    }
  } finally {
    await gateway.stop();
  }
}

(async () => {
  console.log(`keygate benchmarks — database: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}`);
  const only = process.argv[2];
  if (!only || only === 'throughput') await withScratchDatabase(throughput);
  if (!only || only === 'statements') await withScratchDatabase(statementCounts);
  if (!only || only === 'revocation') await revocationLatency();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
