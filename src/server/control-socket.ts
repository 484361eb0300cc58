import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { GatewayError, isGatewayError } from '../core';
import type { Logger } from './logger';
import type { AuditExportRange, ImportProgress, OperatorCommands, StaleReport } from './operator-commands';

/** Unix socket paths are limited to about 107 bytes. */
const MAX_SOCKET_PATH = 100;
const MAX_BODY_BYTES = 256 * 1024 * 1024;

/**
 * The running server's local door for the CLI: one process owns an embedded database, so while
 * `keygate serve` runs, `keygate bootstrap` (and the other operator commands) ask it through a
 * Unix socket in the data folder. The socket lives in a folder only the owner may enter (0700)
 * and is itself 0600: whoever may use it may read the database files anyway.
 */
export function controlSocketPath(dataDir: string): string | null {
  if (dataDir.startsWith('memory://')) return null;
  const path = join(resolve(dataDir), 'run', 'keygate.sock');
  return path.length <= MAX_SOCKET_PATH ? path : null;
}

/** True when a server answers on the socket (a stale file from a killed process does not). */
export function socketAnswers(path: string): Promise<boolean> {
  if (!existsSync(path)) return Promise.resolve(false);
  return new Promise((done) => {
    const socket = connect(path);
    socket.once('connect', () => (socket.end(), done(true)));
    socket.once('error', () => done(false));
  });
}

type Handler = (body: Record<string, unknown>, progress: ImportProgress) => Promise<unknown>;

export class ControlSocket {
  private constructor(private readonly server: Server, private readonly path: string) {}

  static async listen(path: string, commands: OperatorCommands, logger: Logger): Promise<ControlSocket> {
    const folder = join(path, '..');
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    chmodSync(folder, 0o700);
    // This process holds the data folder's lock, so a socket file here is a dead server's.
    rmSync(path, { force: true });
    const routes: Record<string, Handler> = {
      migrate: () => commands.migrate(),
      bootstrap: () => commands.bootstrap(),
      'operator-token/create': (body) => commands.createOperatorToken(String(body.name ?? '')),
      'operator-token/list': () => commands.listOperatorTokens(),
      'operator-token/revoke': (body) => commands.revokeOperatorToken(String(body.id ?? '')),
      'audit/verify': () => commands.verifyAudit(),
      'audit/export': (body) => commands.exportAudit(body as AuditExportRange),
      import: (body, progress) => commands.importServiceAccounts(String(body.provider ?? ''), String(body.csv ?? ''), body.confirm === true, progress),
      'report/stale': (body) => commands.staleTokens(Number(body.days)),
    };
    const server = createServer((req, res) => void handle(req, res, routes, logger));
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolveListen());
    });
    chmodSync(path, 0o600);
    return new ControlSocket(server, path);
  }

  async close(): Promise<void> {
    await new Promise<void>((done) => {
      this.server.close(() => done());
      this.server.closeAllConnections();
    });
    rmSync(this.path, { force: true });
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, routes: Record<string, Handler>, logger: Logger): Promise<void> {
  const route = routes[(req.url ?? '').replace(/^\//, '')];
  res.setHeader('content-type', 'application/x-ndjson');
  if (req.method !== 'POST' || !route) {
    res.statusCode = 404;
    return void res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'No such command.' } }) + '\n');
  }
  const line = (value: unknown) => res.write(JSON.stringify(value) + '\n');
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new GatewayError('BAD_USER_INPUT', 'The command is too large.');
      chunks.push(chunk as Buffer);
    }
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    const result = await route(body, (phase, done, total) => line({ progress: { phase, done, total } }));
    line({ result });
  } catch (error) {
    if (!isGatewayError(error)) logger.error('control socket command failed', { command: req.url, err: error });
    line({ error: isGatewayError(error) ? { code: error.code, message: error.message } : { code: 'INTERNAL_SERVER_ERROR', message: 'The command failed; see the server log.' } });
  }
  res.end();
}

/** The CLI's side: the same commands, carried out by the server listening on `path`. */
export class RemoteCommands implements OperatorCommands {
  constructor(private readonly path: string) {}

  private call<T>(command: string, body: Record<string, unknown> = {}, onProgress?: ImportProgress): Promise<T> {
    return new Promise<T>((resolveCall, reject) => {
      const req = request({ socketPath: this.path, path: `/${command}`, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let buffer = '';
        let settled = false;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let newline: number;
          while ((newline = buffer.indexOf('\n')) >= 0) {
            const message = JSON.parse(buffer.slice(0, newline));
            buffer = buffer.slice(newline + 1);
            if (message.progress) onProgress?.(message.progress.phase, message.progress.done, message.progress.total);
            else if (message.error) {
              settled = true;
              reject(new GatewayError(message.error.code, message.error.message));
            } else if ('result' in message) {
              settled = true;
              resolveCall(message.result as T);
            }
          }
        });
        res.on('end', () => settled || reject(new Error('The running keygate closed the control socket without an answer.')));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  }

  migrate() {
    return this.call<{ applied: string[] }>('migrate');
  }
  bootstrap() {
    return this.call<{ token: string }>('bootstrap');
  }
  createOperatorToken(name: string) {
    return this.call<{ id: string; name: string; secret: string }>('operator-token/create', { name });
  }
  listOperatorTokens() {
    return this.call<Awaited<ReturnType<OperatorCommands['listOperatorTokens']>>>('operator-token/list');
  }
  revokeOperatorToken(id: string) {
    return this.call<{ revokedIds: string[] }>('operator-token/revoke', { id });
  }
  importServiceAccounts(provider: string, csv: string, confirm: boolean, onProgress?: ImportProgress) {
    return this.call<Awaited<ReturnType<OperatorCommands['importServiceAccounts']>>>('import', { provider, csv, confirm }, onProgress);
  }
  verifyAudit() {
    return this.call<Awaited<ReturnType<OperatorCommands['verifyAudit']>>>('audit/verify');
  }
  exportAudit(range: AuditExportRange) {
    return this.call<Awaited<ReturnType<OperatorCommands['exportAudit']>>>('audit/export', { ...range });
  }
  staleTokens(days: number) {
    return this.call<StaleReport>('report/stale', { days });
  }
}
