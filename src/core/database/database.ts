import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { entities } from '../../entities';
import { migrations } from '../../../migrations';
import { conflict } from '../errors';
import { pgliteDriverModule, type PGliteLike } from './pglite-pool';

/** The advisory lock key instances take turns on at startup (migrations, catalog sync). */
const STARTUP_LOCK = 7304410;

export interface Transaction {
  manager: EntityManager;
  afterCommit(callback: () => void): void;
}

/**
 * A statement of a hot path: PostgreSQL parses and plans it once per connection (a named
 * prepared statement), PGlite runs it through its own extended-protocol query.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

interface RawPool {
  query(config: { name: string; text: string; values: unknown[] } | string, values?: unknown[]): Promise<{ rows: unknown[] }>;
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
  private counting = false;
  private pglite?: PGliteLike;
  private releaseLock?: () => void;

  private constructor(dataSource: DataSource, embedded: boolean, pglite?: PGliteLike) {
    this.dataSource = dataSource;
    this.embedded = embedded;
    this.pglite = pglite;
  }

  /** The `pg` pool of a PostgreSQL server (null when embedded), for libraries that bring their own SQL. */
  serverPool(): Pool | null {
    if (this.embedded) return null;
    return (this.dataSource.driver as unknown as { master: Pool }).master;
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
      let releaseLock = () => undefined as void;
      if (!inMemory) {
        mkdirSync(options.dataDir, { recursive: true });
        releaseLock = lockDataDir(options.dataDir);
      }
      let pglite: PGliteLike;
      try {
        pglite = (await PGlite.create(inMemory ? undefined : options.dataDir)) as unknown as PGliteLike;
      } catch (error) {
        releaseLock();
        throw error;
      }
      const dataSource = new DataSource({ ...common, driver: pgliteDriverModule(pglite) });
      database = new Database(dataSource, true, pglite);
      database.releaseLock = releaseLock;
    }
    if (options.countStatements) {
      database.counting = true;
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

  /**
   * Runs one prepared statement on the driver's pool, past the ORM (no query building, no entity
   * hydration). Outside any transaction: one statement is its own transaction.
   */
  async prepared<R>(statement: PreparedStatement, values: unknown[]): Promise<R[]> {
    if (this.counting) this.statementCount++;
    const pool = (this.dataSource.driver as unknown as { master: RawPool }).master;
    const result = this.embedded ? await pool.query(statement.text, values) : await pool.query({ name: statement.name, text: statement.text, values });
    return result.rows as R[];
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

  /**
   * Runs `work` while holding the startup lock: instances starting together against one PostgreSQL
   * take turns (the second finds the migrations applied and the catalog synced). A session lock on
   * a connection of its own, so the work's statements may use any connection; released even when
   * the work fails. PGlite has one process per data folder: nothing to wait for.
   */
  async exclusively<T>(work: () => Promise<T>): Promise<T> {
    if (this.embedded) return work();
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK]);
      try {
        return await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK]);
      }
    } finally {
      await runner.release();
    }
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
    this.releaseLock?.();
  }
}

/**
 * PGlite has no lock of its own: two processes on one data folder would corrupt it. The first
 * takes `keygate.pid`; a second is refused with a clear message. A lock left by a dead process
 * is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'keygate.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(file, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid))
        throw new Error(`The embedded database in ${dataDir} is in use by keygate process ${pid}. Stop it first (one process owns an embedded database; use DATABASE_URL for several).`);
      rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not lock the embedded database in ${dataDir}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
