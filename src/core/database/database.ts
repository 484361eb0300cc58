import { mkdirSync } from 'node:fs';
import { DataSource, EntityManager } from 'typeorm';
import { entities } from '../../entities';
import { migrations } from '../../../migrations';
import { conflict } from '../errors';
import { pgliteDriverModule, type PGliteLike } from './pglite-pool';

export interface Transaction {
  manager: EntityManager;
  afterCommit(callback: () => void): void;
}

export interface DatabaseOptions {
  /** `postgres://…`: that server. Unset: embedded PGlite in `dataDir`. */
  url?: string;
  /** Folder of the embedded database; `memory://` keeps it in memory (tests). */
  dataDir: string;
  /** Count every SQL statement (benchmarks and the DataLoader tests read it). */
  countStatements?: boolean;
  poolSize?: number;
}

/**
 * The one door to storage. `transaction` is how every state change runs; reads may use `manager`.
 * On PGlite both are serialized by the pool, on PostgreSQL they run concurrently.
 */
export class Database {
  readonly dataSource: DataSource;
  readonly embedded: boolean;
  /** The PostgreSQL URL (server mode), for connections of their own such as LISTEN. */
  url?: string;
  statementCount = 0;
  private pglite?: PGliteLike;

  private constructor(dataSource: DataSource, embedded: boolean, pglite?: PGliteLike) {
    this.dataSource = dataSource;
    this.embedded = embedded;
    this.pglite = pglite;
  }

  static async open(options: DatabaseOptions): Promise<Database> {
    let database: Database;
    const common = {
      type: 'postgres' as const,
      entities,
      migrations,
      migrationsTableName: 'keygate_migrations',
      synchronize: false,
      installExtensions: false,
      uuidExtension: 'pgcrypto' as const,
      logging: false,
    };
    if (options.url) {
      const dataSource = new DataSource({ ...common, url: options.url, poolSize: options.poolSize ?? 10, applicationName: 'keygate' });
      database = new Database(dataSource, false);
      database.url = options.url;
    } else {
      const { PGlite } = await import('@electric-sql/pglite');
      const inMemory = options.dataDir.startsWith('memory://');
      if (!inMemory) mkdirSync(options.dataDir, { recursive: true });
      const pglite = (await PGlite.create(inMemory ? undefined : options.dataDir)) as unknown as PGliteLike;
      const dataSource = new DataSource({ ...common, driver: pgliteDriverModule(pglite) });
      database = new Database(dataSource, true, pglite);
    }
    if (options.countStatements) {
      database.dataSource.setOptions({
        logging: ['query'],
        logger: { logQuery: () => void database.statementCount++, logQueryError() {}, logQuerySlow() {}, logSchemaBuild() {}, logMigration() {}, log() {} },
      });
    }
    await database.dataSource.initialize();
    return database;
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** Runs `work` in one transaction; `tx.afterCommit` callbacks run only once it has committed. */
  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const callbacks: Array<() => void> = [];
    let result: T;
    try {
      result = await this.dataSource.transaction((manager) => work({ manager, afterCommit: (fn) => void callbacks.push(fn) }));
    } catch (error) {
      // Two writers raced for the same unique value; the loser learns it as a conflict, not a 500.
      if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') throw conflict('That already exists (a concurrent request created it first).');
      throw error;
    }
    for (const callback of callbacks) {
      try {
        callback();
      } catch {
        // A listener's failure must not turn a committed change into an error for the caller.
      }
    }
    return result;
  }

  async migrate(): Promise<string[]> {
    const applied = await this.dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  }

  async pendingMigrations(): Promise<boolean> {
    return this.dataSource.showMigrations();
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    if (this.pglite && !this.pglite.closed) await this.pglite.close();
  }
}
