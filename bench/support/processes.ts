import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';

const ROOT = join(__dirname, '..', '..', '..');
export const BENCH_OPERATOR = 'bench-operator-token-0123456789abcdef';
const MASTER_KEY = randomBytes(32).toString('base64');

export interface Child {
  child: ChildProcess;
  url: string;
  info: Record<string, any>;
  stop(): Promise<void>;
}

/** Spawns `node <script> args…` and waits for the JSON line (or `keygate listening` line) that says where it serves. */
function spawnServing(args: string[], env: NodeJS.ProcessEnv, findUrl: (line: string) => { url: string; info: Record<string, any> } | null): Promise<Child> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk;
      for (const line of out.split('\n')) {
        const found = line.trim().startsWith('{') ? findUrl(line) : null;
        if (found) {
          child.stdout!.off('data', onData);
          child.stdout!.resume();
          resolve({ child, ...found, stop: async () => void (child.kill('SIGTERM'), await exited) });
          return;
        }
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

/** A baseline peer (bench/peers/peer.ts) in a process of its own. */
export function startPeer(name: string): Promise<Child> {
  return spawnServing([join(__dirname, '..', 'peers', 'peer.js'), name], process.env, (line) => {
    const info = JSON.parse(line);
    return info.url ? { url: info.url, info } : null;
  });
}

/** `keygate serve` as it runs in production: its own process, default providers, the given database. */
export function startKeygate(databaseUrl: string | undefined, env: Record<string, string> = {}): Promise<Child> {
  // BENCH_CPU_PROFILE=<dir>: each keygate process writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
  return spawnServing(
    [...profile, join(ROOT, 'bin', 'keygate.js'), 'serve'],
    {
      ...process.env,
      NODE_OPTIONS: '',
      DATABASE_URL: databaseUrl ?? '',
      KEYGATE_DATA_DIR: databaseUrl ? '' : `/tmp/keygate-bench-${randomBytes(4).toString('hex')}`,
      PORT: '0',
      HOST: '127.0.0.1',
      KEYGATE_OPERATOR_TOKEN: BENCH_OPERATOR,
      KEYGATE_MASTER_KEY: MASTER_KEY,
      KEYGATE_LOG_LEVEL: 'info',
      ...env,
    },
    (line) => {
      const match = /"url":"http:\/\/127\.0\.0\.1:(\d+)\/graphql"/.exec(line);
      return match ? { url: `http://127.0.0.1:${match[1]}`, info: {} } : null;
    },
  );
}

/** The PostgreSQL server the benchmark uses: BENCH_DATABASE_URL, else DATABASE_URL; null for embedded only. */
export function serverUrl(): string | null {
  return process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || null;
}

/** A database of its own for one benchmark part, dropped afterwards; `undefined` (embedded) without a server. */
export async function withScratchDatabase<T>(work: (url: string | undefined) => Promise<T>): Promise<T> {
  const base = serverUrl();
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

/** A GraphQL call as the benchmark's operator (setup steps); throws on errors. */
export async function operatorGraphql(baseUrl: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_OPERATOR}` }, body: JSON.stringify({ query, variables }) });
  const json = (await res.json()) as { data: any; errors?: unknown };
  if (json.errors) throw new Error(JSON.stringify(json.errors));
  return json.data;
}
