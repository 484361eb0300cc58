import { EventEmitter } from 'node:events';
import { Mutex } from './mutex';

interface PGliteResult {
  rows: unknown[];
  affectedRows?: number;
  fields: unknown[];
}

/** The part of PGlite this adapter uses (its ESM and CJS type declarations differ). */
export interface PGliteLike {
  query(sql: string, params?: unknown[]): Promise<PGliteResult>;
  exec(sql: string): Promise<PGliteResult[]>;
  close(): Promise<void>;
  readonly closed: boolean;
}

/** Where tracing wraps each embedded statement in a span (the pg instrumentation cannot see PGlite). */
export const embeddedQueryHooks: { wrap?: <T>(sql: string, run: () => Promise<T>) => Promise<T> } = {};

/**
 * A `pg`-compatible pool over one embedded PGlite database, for TypeORM's postgres driver.
 *
 * PGlite has a single session: if two TypeORM query runners shared it, one transaction's
 * ROLLBACK would undo the other's statements. So `connect()` hands out the session exclusively
 * until `release()`: a transaction holds it from BEGIN to COMMIT, a lone query for one statement.
 */
class PGliteClient extends EventEmitter {
  constructor(private readonly db: PGliteLike) {
    super();
  }

  async query(text: string | { text: string }, params?: unknown[], callback?: (err: unknown, res?: unknown) => void) {
    const sql = typeof text === 'string' ? text : text.text;
    if (typeof params === 'function') {
      callback = params as never;
      params = undefined;
    }
    try {
      const result = await this.run(sql, params);
      callback?.(null, result);
      return result;
    } catch (error) {
      if (callback) return callback(error);
      throw error;
    }
  }

  private run(sql: string, params?: unknown[]) {
    return embeddedQueryHooks.wrap ? embeddedQueryHooks.wrap(sql, () => this.execute(sql, params)) : this.execute(sql, params);
  }

  private async execute(sql: string, params?: unknown[]) {
    if (params && params.length > 0) {
      const res = await this.db.query(sql, params);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length, command: commandOf(sql), fields: res.fields };
    }
    const results = await this.db.exec(sql);
    const last = results[results.length - 1] ?? { rows: [], affectedRows: 0, fields: [] };
    return { rows: last.rows, rowCount: last.affectedRows ?? last.rows.length, command: commandOf(sql), fields: last.fields };
  }
}

function commandOf(sql: string): string {
  return /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
}

export class PGlitePool extends EventEmitter {
  private readonly mutex = new Mutex();
  private readonly client: PGliteClient;
  private ended = false;

  constructor(db: PGliteLike) {
    super();
    this.client = new PGliteClient(db);
  }

  connect(callback?: (err: Error | null, client?: PGliteClient, release?: (err?: unknown) => void) => void) {
    const promise = (async () => {
      if (this.ended) throw new Error('The embedded database is closed.');
      const unlock = await this.mutex.acquire();
      const release = () => unlock();
      return { client: this.client, release };
    })();
    if (!callback) return promise.then(({ client, release }) => Object.assign(client, { release }));
    promise.then(
      ({ client, release }) => callback(null, client, release),
      (err) => callback(err),
    );
    return undefined;
  }

  async query(sql: string, params?: unknown[]) {
    const unlock = await this.mutex.acquire();
    try {
      return await this.client.query(sql, params);
    } finally {
      unlock();
    }
  }

  end(callback?: (err?: unknown) => void) {
    this.ended = true;
    callback?.();
    return Promise.resolve();
  }

  get waitingCount(): number {
    return this.mutex.queueLength;
  }
}

/** The shape TypeORM's postgres driver loads in place of the `pg` module. */
export function pgliteDriverModule(db: PGliteLike) {
  return { Pool: class { constructor() { return new PGlitePool(db); } } };
}
