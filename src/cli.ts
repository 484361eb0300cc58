import { readFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { packageVersion } from './package';
import type { OperatorCommands } from './server/operator-commands';

/**
 * `npx keygate …`. Arguments are parsed before anything heavy loads, so `--help`, `--version` and
 * usage errors are instant and change nothing. Exit codes: 0 done, 1 the command failed (or an
 * import found problems), 2 usage or configuration errors.
 */
const VERSION = packageVersion();

class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

const out = (text: string) => void process.stdout.write(text.endsWith('\n') ? text : text + '\n');
const json = (value: unknown) => out(JSON.stringify(value));

/** The configuration, checked; every problem named with its variable, exit 2. */
async function config() {
  const { checkEnvironment, loadConfig } = await import('./config.js');
  const loaded = loadConfig();
  await checkEnvironment(loaded);
  return loaded;
}

/**
 * Runs a command against the running server when it owns the embedded database (through its
 * control socket), else against a keygate of this process's own.
 */
async function withCommands<T>(work: (commands: OperatorCommands) => Promise<T>): Promise<T> {
  const { loadConfig } = await import('./config.js');
  const settings = loadConfig();
  if (!settings.databaseUrl) {
    const { controlSocketPath, socketAnswers, RemoteCommands } = await import('./server/control-socket.js');
    const path = controlSocketPath(settings.dataDir);
    if (path && (await socketAnswers(path))) return work(new RemoteCommands(path));
  }
  await (await import('./config.js')).checkEnvironment(settings);
  await import('reflect-metadata');
  const { createKeygate } = await import('./server/keygate.js');
  const { createLogger } = await import('./server/logger.js');
  const { LocalCommands } = await import('./server/operator-commands.js');
  // Log lines go to stderr so that stdout carries only the answer (--json).
  const logger = createLogger(settings.logLevel === 'info' ? 'warn' : settings.logLevel, (line) => process.stderr.write(line + '\n'));
  const keygate = await createKeygate(settings, { logger });
  try {
    return await work(new LocalCommands(keygate));
  } finally {
    await keygate.close();
  }
}

async function serve(): Promise<void> {
  // Tracing patches http, express, graphql and pg as they load: it starts before any of them.
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) await (await import('./server/tracing.js')).startTracing();
  const settings = await config();
  await import('reflect-metadata');
  const { Gateway } = await import('./server/gateway.js');
  const gateway = await Gateway.start({ config: settings });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      // A second Ctrl-C means "now"; a repeated SIGTERM (an orchestrator) waits for the drain.
      if (signal === 'SIGINT') process.exit(1);
      return;
    }
    stopping = true;
    gateway.logger.info('shutting down', { signal, graceSeconds: settings.shutdownGraceSeconds });
    gateway.stop().then(
      async () => {
        if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) await (await import('./server/tracing.js')).stopTracing();
        process.exit(0);
      },
      (error) => {
        gateway.logger.error('shutdown failed', { err: error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Runs until a signal.
  await new Promise(() => undefined);
}

const PHASES: Record<string, string> = { validate: 'validating', hash: 'hashing passwords', write: 'writing' };
/** Files with at least this many rows get a progress bar on stderr. */
const PROGRESS_MIN_ROWS = 500;

async function progressBar() {
  const { SingleBar } = await import('cli-progress');
  const bar = new SingleBar({
    stream: process.stderr,
    format: '[{bar}] {percentage}% {phase} {value}/{total}',
    barCompleteChar: '#',
    barIncompleteChar: '.',
    barsize: 30,
    hideCursor: false,
    noTTYOutput: true,
    notTTYSchedule: 1000,
  });
  let phase: string | null = null;
  return {
    update(next: string, done: number, total: number) {
      if (next !== phase) {
        if (phase) bar.stop();
        phase = next;
        bar.start(total, done, { phase: PHASES[next] ?? next });
      } else bar.update(done);
    },
    end() {
      if (phase) bar.stop();
    },
  };
}

async function runImport(provider: string, file: string, options: { confirm?: boolean; json?: boolean }): Promise<void> {
  let csv: string;
  try {
    csv = await readFile(file, 'utf8');
  } catch (error) {
    process.stderr.write(`keygate import: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}\n`);
    throw new ExitCode(2);
  }
  const confirm = Boolean(options.confirm);
  const rows = csv.split('\n').length - 1;
  const bar = rows >= PROGRESS_MIN_ROWS ? await progressBar() : null;
  const started = Date.now();
  const result = await withCommands((commands) => commands.importServiceAccounts(provider, csv, confirm, bar ? (...args) => bar.update(...args) : undefined)).finally(() => bar?.end());
  if (options.json) json(result);
  else {
    const lines = result.errors.map((e) => `line ${e.line}${e.field ? `, ${e.field}` : ''}: ${e.message}`);
    if (result.errors.length) lines.push(`${result.total} row(s), ${result.valid} valid, ${result.errors.length} problem(s). Nothing was written.`);
    else if (confirm) lines.push(`Created ${result.created} account(s) in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    else lines.push(`Preview: ${result.total} row(s), all valid. Nothing was written; run again with --confirm to create them.`);
    out(lines.join('\n'));
  }
  if (result.errors.length) throw new ExitCode(1);
}

/** An ISO 8601 instant for --since / --until (a bad one is a usage error, exit 2). */
function instant(value: string): string {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) throw new InvalidArgumentError('expected an ISO 8601 instant, e.g. 2026-01-31T00:00:00Z');
  return date.toISOString();
}

async function verifyAudit(options: { json?: boolean }): Promise<void> {
  const verification = await withCommands((c) => c.verifyAudit());
  if (options.json) json(verification);
  else if (verification.problem) out(`Audit chain broken after ${verification.rows} intact row(s): ${verification.problem.message}.`);
  else {
    const pending = verification.unsealed ? ` ${verification.unsealed} newer row(s) are not sealed yet.` : '';
    out(`Audit chain intact: ${verification.rows} row(s), head seq ${verification.head.seq} (row ${verification.head.id ?? 'none'}), hash ${verification.head.hash}.${pending}`);
  }
  if (!verification.intact) throw new ExitCode(1);
}

/** Pages through the sealed log in chain order, so an export of any size runs in bounded memory. */
async function exportAudit(options: { since?: string; until?: string; json?: boolean }): Promise<void> {
  await withCommands(async (c) => {
    let after: string | null = null;
    let first = true;
    if (options.json) process.stdout.write('[');
    for (;;) {
      const records = await c.exportAudit({ since: options.since ?? null, until: options.until ?? null, after, limit: 1000 });
      for (const record of records) {
        const line = JSON.stringify(record);
        process.stdout.write(options.json ? (first ? '' : ',\n') + line : line + '\n');
        first = false;
      }
      if (records.length < 1000) break;
      after = records[records.length - 1].seq;
    }
    if (options.json) process.stdout.write(']\n');
  });
}

function wholeDays(value: string): number {
  if (!/^\d{1,4}$/.test(value) || Number(value) > 3650) throw new InvalidArgumentError('a whole number of days from 0 to 3650');
  return Number(value);
}

export function buildProgram(): Command {
  const program = new Command('keygate')
    .description('A self-hosted GraphQL gateway for machine identities.')
    .version(VERSION, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'print help for a command')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  const jsonOption = () => new Option('--json', 'print the answer as JSON');

  program
    .command('serve')
    .description('migrate, then serve GraphQL, WebSocket subscriptions and the vendor REST routes (what `npm start` runs)')
    .action(serve);

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }) => {
      const { applied } = await withCommands((c) => c.migrate());
      if (options.json) json({ applied });
      else out(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations.');
    });

  program
    .command('bootstrap')
    .description('print the first operator token, once; refuses when one exists (works while `keygate serve` runs)')
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }) => {
      const { token } = await withCommands((c) => c.bootstrap());
      if (options.json) json({ token });
      else out(`Operator token (shown once, store it now):\n${token}`);
    });

  program
    .command('import')
    .description('preview (or, with --confirm, apply) a CSV of service accounts, e.g. `keygate import alation users.csv`')
    .argument('<provider>', 'the provider whose CSV template the file follows (alation)')
    .argument('<file>', 'the CSV file')
    .option('--confirm', 'create the accounts (all in one transaction, or none)')
    .addOption(jsonOption())
    .action(runImport);

  const tokens = program.command('operator-token').description('create, list and revoke operator tokens');
  tokens
    .command('create')
    .description('a new named operator token, printed once')
    .argument('<name>', 'what the token is for, e.g. "ci" or "alice"')
    .addOption(jsonOption())
    .action(async (name: string, options: { json?: boolean }) => {
      const created = await withCommands((c) => c.createOperatorToken(name));
      if (options.json) json({ id: created.id, name: created.name, token: created.secret });
      else out(`Operator token "${created.name}" (id ${created.id}; shown once, store it now):\n${created.secret}`);
    });
  tokens
    .command('list')
    .description('every operator token: id, name, status, created, last used (never a secret)')
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }) => {
      const rows = await withCommands((c) => c.listOperatorTokens());
      if (options.json) return json(rows);
      out(['id\tname\tstatus\tcreated\tlast used', ...rows.map((t) => `${t.id}\t${t.name}\t${t.status}\t${t.createdAt}\t${t.lastUsedAt ?? 'never'}`)].join('\n'));
    });
  tokens
    .command('revoke')
    .description('revoke an operator token by id; the last active one needs a replacement first')
    .argument('<id>', 'the token id (from `keygate operator-token list`)')
    .addOption(jsonOption())
    .action(async (id: string, options: { json?: boolean }) => {
      const result = await withCommands((c) => c.revokeOperatorToken(id));
      if (options.json) json(result);
      else out(`Revoked ${result.revokedIds.join(', ')}.`);
    });
  const audit = program.command('audit').description('verify and export the hash-chained audit log');
  audit
    .command('verify')
    .description('check the audit hash chain; exit 1 naming the first row that was changed or removed')
    .addOption(jsonOption())
    .action(verifyAudit);
  audit
    .command('export')
    .description('write the sealed audit log as JSON lines (one record per line, in chain order) to stdout')
    .addOption(new Option('--since <instant>', 'rows at or after this ISO 8601 instant').argParser(instant))
    .addOption(new Option('--until <instant>', 'rows before this ISO 8601 instant').argParser(instant))
    .addOption(new Option('--ndjson', 'JSON lines (the default)').conflicts('json'))
    .addOption(new Option('--json', 'one JSON array instead of JSON lines'))
    .action(exportAudit);
  const report = program.command('report').description('reports over every token, as the operator sees them');
  report
    .command('stale')
    .description('active tokens nobody used for N days (never-used ones created before then too), newest first: candidates to revoke')
    .option('--days <n>', 'unused for at least this many days (0 to 3650)', wholeDays, 90)
    .addOption(jsonOption())
    .action(async (options: { days: number; json?: boolean }) => {
      const stale = await withCommands((c) => c.staleTokens(options.days));
      if (options.json) return json(stale);
      const rows = stale.tokens.map((t) => [t.id, t.type, t.provider, t.serviceAccountName ?? t.serviceAccountId, t.name ?? '', t.createdAt, t.lastUsedAt ?? 'never', t.expiresAt ?? 'never'].join('\t'));
      out(['id\ttype\tprovider\towner\tname\tcreated\tlast used\texpires', ...rows, `${stale.tokens.length} active token(s) unused since ${stale.unusedSince}.`].join('\n'));
    });
  // `--version` everywhere, as `--help` is.
  const everyCommand = (command: Command): Command[] => [command, ...command.commands.flatMap(everyCommand)];
  for (const command of everyCommand(program).slice(1)) command.version(VERSION, '-v, --version', 'print the version');
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return 2;
  }
  // `keygate help operator-token create` is `keygate operator-token create --help` (commander's help takes one name).
  if (argv[0] === 'help' && argv.length > 2) {
    const names = argv.slice(1);
    let command: Command | undefined = program;
    for (const name of names) command = command?.commands.find((sub) => sub.name() === name);
    if (!command) {
      process.stderr.write(`error: unknown command '${names.join(' ')}'\n`);
      program.outputHelp({ error: true });
      return 2;
    }
    argv = [...names, '--help'];
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof ExitCode) return error.code;
    if (error instanceof CommanderError) {
      // Help and version were asked for; anything else commander refuses is a usage error.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || (error.code === 'commander.help' && error.exitCode === 0) ? 0 : 2;
    }
    const { ConfigError } = await import('./config.js');
    if (error instanceof ConfigError) {
      process.stderr.write(`keygate: invalid configuration\n${error.problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}\n`);
      return 2;
    }
    process.stderr.write(`keygate: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/** What `bin/keygate.js` runs. */
export function run(argv: string[] = process.argv.slice(2)): void {
  main(argv).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`keygate: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
