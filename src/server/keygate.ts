import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, lifespanProblems, type GatewayConfig } from '../config';
import { CoreServices, Database, MasterKey, systemClock, type Clock } from '../core';
import type { ProviderFactory } from '../plugins/provider';
import { defaultProviders, ProviderRegistry } from '../plugins/registry';
import { maySee } from '../schema/events/event-stream';
import { createLogger, registerSecrets, type Logger } from './logger';
import { GatewayMetrics } from './metrics';

export interface KeygateOptions {
  providers?: readonly ProviderFactory[];
  clock?: Clock;
  logger?: Logger;
  metrics?: GatewayMetrics;
  /** Count SQL statements (benchmarks, DataLoader tests). */
  countStatements?: boolean;
}

/** One keygate: database (migrated), core services, providers (permissions synced, initialised). */
export interface Keygate {
  readonly config: GatewayConfig;
  readonly db: Database;
  readonly core: CoreServices;
  readonly providers: ProviderRegistry;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  /** Migrations this start applied. */
  readonly applied: readonly string[];
  /** Also true when a provider signs tokens, so `/readyz` checks signing. */
  readonly signs: boolean;
  /** Background work a serving gateway runs: the event tailer and the expiry sweeper. */
  startBackground(): Promise<void>;
  /** Providers, core and database, in that order. */
  close(): Promise<void>;
}

/** The master key: configured, else (embedded only) generated once into the data folder. */
function masterKeyFor(config: GatewayConfig, db: Database, logger: Logger): () => MasterKey {
  let key: MasterKey | undefined;
  return () => {
    if (key) return key;
    if (config.masterKey) return (key = new MasterKey(config.masterKey));
    if (!db.embedded) throw new Error('KEYGATE_MASTER_KEY is required with DATABASE_URL to make or use signing keys.');
    if (config.dataDir.startsWith('memory://')) return (key = new MasterKey(MasterKey.generate()));
    const file = join(config.dataDir, 'keygate-master.key');
    if (!existsSync(file)) {
      writeFileSync(file, MasterKey.generate() + '\n', { mode: 0o600, flag: 'wx' });
      logger.warn('generated a master key into the data folder; set KEYGATE_MASTER_KEY in production', { file });
    }
    const material = readFileSync(file, 'utf8');
    registerSecrets([material.trim()]);
    return (key = new MasterKey(material));
  };
}

function databasePassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The composition root: every entry point (`serve`, `bootstrap`, `migrate`, `import`, the
 * operator-token commands) builds keygate here, so each runs with the same migrations, the same
 * provider catalog and the same initialised providers.
 */
export async function createKeygate(config: GatewayConfig, options: KeygateOptions = {}): Promise<Keygate> {
  registerSecrets([config.masterKey, config.operatorToken, databasePassword(config.databaseUrl)]);
  const factories = options.providers ?? defaultProviders;
  const problems = lifespanProblems(config.lifespans, factories.map((f) => f.manifest));
  if (problems.length) throw new ConfigError(problems);

  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = options.metrics ?? new GatewayMetrics();
  const clock = options.clock ?? systemClock;
  const db = await Database.open({ url: config.databaseUrl, dataDir: config.dataDir, countStatements: options.countStatements });
  let core: CoreServices | undefined;
  let providers: ProviderRegistry | undefined;
  try {
    // Instances starting together take turns: one migrates and syncs, the next finds it done.
    const started = await db.exclusively(async () => {
      const applied = await db.migrate();
      if (applied.length) logger.info('migrations applied', { migrations: applied });
      const services = new CoreServices(db, clock, {
        lifespanOverrides: config.lifespans,
        masterKey: masterKeyFor(config, db, logger),
        authFailuresPerMinute: config.authFailuresPerMinute,
        expiryWarnings: config.expiryWarnings,
        metrics,
        webhooks: { allowPrivate: config.webhookAllowPrivate, concurrency: config.webhookConcurrency, retry: config.webhookRetry },
      });
      core = services;
      const registry = new ProviderRegistry(factories, services);
      providers = registry;
      // Syncs each provider's permissions, then runs its init.
      await registry.init();
      if (config.operatorToken) await services.credentials.configureOperatorToken(config.operatorToken);
      return { applied, core: services, providers: registry };
    });
    const { applied } = started;
    const built = { core: started.core, providers: started.providers };
    let closing: Promise<void> | undefined;
    return {
      config,
      db,
      core: started.core,
      providers: started.providers,
      logger,
      metrics,
      applied,
      signs: factories.some((f) => f.manifest.signsTokens),
      startBackground: () =>
        built.core.start({
          expirySweepSeconds: config.expirySweepSeconds,
          // A webhook receives what its creator could receive over a subscription.
          webhookVisibility: (actor, event) => maySee({ registry: built.providers }, actor, event),
          logger,
        }),
      close: () =>
        (closing ??= (async () => {
          await built.providers.destroy();
          await built.core.stop();
          await db.close();
        })()),
    };
  } catch (error) {
    await providers?.destroy().catch(() => undefined);
    await core?.stop().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw error;
  }
}
