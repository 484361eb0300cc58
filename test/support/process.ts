import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from './database';
import { recordEnvSecrets, recordLog } from './suite-scan';

const BIN = join(__dirname, '..', '..', 'bin', 'keygate.js');

export interface GatewayProcess {
  url: string;
  /** Where /metrics, /healthz and /readyz are (the management port when one is set). */
  managementUrl: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

/** `keygate serve` as a separate process (dist/ is built by the test global setup). */
export async function startGatewayProcess(env: Record<string, string>, options: { startTimeoutMs?: number } = {}): Promise<GatewayProcess> {
  recordEnvSecrets(env);
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, NODE_OPTIONS: '', PORT: '0', HOST: '127.0.0.1', KEYGATE_LOG_LEVEL: 'info', ...env } });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  // 'close', not 'exit': the output is complete (the "stopped" line, the secret scan) only then.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  void exited.then(() => recordLog(output));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${output}`)), options.startTimeoutMs ?? 180_000);
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${output}`)));
    child.stdout!.on('data', () => {
      const match = /"url":"http:\/\/127\.0\.0\.1:(\d+)\/graphql"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    });
  });
  const management = /"management":"http:\/\/127\.0\.0\.1:(\d+)\/metrics"/.exec(output);
  return {
    url,
    managementUrl: management ? `http://127.0.0.1:${management[1]}` : url,
    child,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `keygate <args>` as a separate process; `env` on top of this process's (DATABASE_URL etc.). */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<CliResult> {
  recordEnvSecrets(env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NODE_OPTIONS: '', KEYGATE_OPERATOR_TOKEN: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`keygate ${args.join(' ')} timed out: ${stdout}${stderr}`))), timeoutMs);
    // 'close', not 'exit': only then have both pipes delivered everything the process wrote.
    child.once('close', (status) => {
      clearTimeout(timer);
      // stdout carries answers (a printed token is the point of bootstrap); stderr is the log.
      recordLog(args[0] === 'serve' ? stdout + stderr : stderr);
      resolve({ status, stdout, stderr });
    });
  });
}

/**
 * What a CLI test runs `keygate` in: a database of its own (PostgreSQL when DATABASE_URL is set,
 * else the embedded one in a data folder of its own) and a master key. Call in `beforeAll`;
 * `dispose` in `afterAll` removes both.
 */
export interface CliEnvironment {
  env: Record<string, string>;
  database: TestDatabase;
  folder: string;
  dispose(): Promise<void>;
}

export async function cliEnvironment(name: string, masterKey = 'x'.repeat(44)): Promise<CliEnvironment> {
  const database = await createTestDatabase();
  const folder = mkdtempSync(join(tmpdir(), `keygate-${name}-`));
  return {
    env: { KEYGATE_DATA_DIR: join(folder, 'data'), DATABASE_URL: database.url ?? '', KEYGATE_MASTER_KEY: masterKey },
    database,
    folder,
    dispose: async () => {
      rmSync(folder, { recursive: true, force: true });
      await database.drop();
    },
  };
}
