import 'reflect-metadata';
import { loadConfig } from './config';
import { CoreServices, Database, isGatewayError, systemClock } from './core';
import { Gateway } from './server/gateway';

const USAGE = `Usage: keygate <command>

Commands:
  serve              start the gateway (what \`npm start\` runs)
  migrate            apply pending database migrations and exit
  bootstrap [--json] print the first operator token, once; refuses when one exists
  import alation <file.csv> [--confirm]
                     preview (or, with --confirm, apply) an Alation user CSV
`;

async function serve(): Promise<void> {
  const gateway = await Gateway.start({ config: loadConfig() });
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) process.exit(1);
    gateway.logger.info('shutting down', { signal });
    gateway.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await Database.open({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve':
    case undefined:
      await serve();
      return -1;
    case 'migrate': {
      const applied = await withDatabase((db) => db.migrate());
      process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'No pending migrations.\n');
      return 0;
    }
    case 'bootstrap': {
      const token = await withDatabase(async (db) => {
        await db.migrate();
        return new CoreServices(db, systemClock).credentials.bootstrapOperator('cli');
      });
      if (args.includes('--json')) process.stdout.write(JSON.stringify({ token }) + '\n');
      else process.stdout.write(`Operator token (shown once, store it now):\n${token}\n`);
      return 0;
    }
    case 'import': {
      const [provider, ...rest] = args;
      if (provider !== 'alation') {
        process.stderr.write(`keygate import: no CSV import for provider "${provider ?? ''}". Known: alation.\n`);
        return 2;
      }
      const { runAlationImport } = await import('./server/import-command.js');
      return runAlationImport(rest, { config: loadConfig(), stdout: process.stdout, stderr: process.stderr });
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error) => {
    process.stderr.write(`keygate: ${isGatewayError(error) ? error.message : error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
