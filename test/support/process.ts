import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(__dirname, '..', '..', 'bin', 'keygate.js');

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

/** `keygate serve` as a separate process (dist/ is built by the test global setup). */
export async function startGatewayProcess(env: Record<string, string>, options: { startTimeoutMs?: number } = {}): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, NODE_OPTIONS: '', PORT: '0', HOST: '127.0.0.1', KEYGATE_LOG_LEVEL: 'info', ...env } });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${output}`)), options.startTimeoutMs ?? 60_000);
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${output}`)));
    child.stdout!.on('data', () => {
      const match = /"url":"http:\/\/127\.0\.0\.1:(\d+)\/graphql"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    });
  });
  return {
    url,
    child,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
