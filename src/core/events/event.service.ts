import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import { TokenEventEntity } from '../../entities';
import type { Clock } from '../clock';
import type { Database, Transaction } from '../database';
import { actorLabel, type Actor } from '../credentials/actor';

export type TokenEventKind = 'CREATED' | 'REVOKED' | 'EXPIRED' | 'DELETED' | 'PERSONAS_CHANGED' | 'PERMISSIONS_CHANGED' | 'SECRET_CHANGED';
export type EventSubjectType = 'SERVICE_ACCOUNT' | 'REFRESH_TOKEN' | 'ACCESS_TOKEN';
export const TOKEN_EVENT_KINDS: readonly TokenEventKind[] = ['CREATED', 'REVOKED', 'EXPIRED', 'DELETED', 'PERSONAS_CHANGED', 'PERMISSIONS_CHANGED', 'SECRET_CHANGED'];

export interface TokenEvent {
  cursor: string;
  provider: string;
  kind: TokenEventKind;
  subjectType: EventSubjectType;
  subjectId: string;
  serviceAccountId: string;
  actor: string;
  at: Date;
}

export interface NewTokenEvent {
  provider: string;
  kind: TokenEventKind;
  subjectType: EventSubjectType;
  subjectId: string;
  serviceAccountId: string;
}

export const EVENT_CHANNEL = 'keygate_events';
/** Serializes event writers from their insert to their commit, so cursor order is commit order. */
const EVENT_WRITE_LOCK = 7304410;
const POLL_INTERVAL_MS = 5000;
const BATCH = 1000;

/**
 * The event log. Writers append rows inside the transaction of the change they describe (last in
 * that transaction). Sequence values commit out of order in general; here every writer takes one
 * transaction-scoped lock before its insert, so a row with cursor N is visible only after every
 * row below N committed or rolled back, and "everything after cursor N" never skips a late commit.
 *
 * Readers: one tailer per instance reads the table past the last cursor it saw and hands rows to
 * local listeners in cursor order. It is woken by the local commit, by PostgreSQL NOTIFY from any
 * instance (a dedicated LISTEN connection that reconnects and catches up after a drop), and by a
 * slow poll as a last resort. The table is the truth; a wake-up carries nothing.
 */
export class EventService {
  private readonly emitter = new EventEmitter();
  private lastSeen = 0n;
  private reading: Promise<void> | null = null;
  private again = false;
  private listener: Client | null = null;
  private listenerUp = false;
  private started = false;
  private stopped = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay = 100;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {
    this.emitter.setMaxListeners(0);
  }

  /** Starts tailing from the newest event: history before this is read with `history()`. */
  async start(): Promise<void> {
    const [{ max }] = await this.db.dataSource.query('SELECT coalesce(max(cursor), 0)::text AS max FROM token_event');
    this.lastSeen = BigInt(max);
    this.started = true;
    if (!this.db.embedded && this.db.url) await this.connectListener();
    this.pollTimer = setInterval(() => this.wake(), POLL_INTERVAL_MS);
    this.pollTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.reading?.catch(() => undefined);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }

  /** True while every instance's writes reach this one within NOTIFY delivery time. */
  get live(): boolean {
    return this.db.embedded || this.listenerUp;
  }

  async append(tx: Transaction, actor: Actor | null | undefined, events: NewTokenEvent[]): Promise<void> {
    if (events.length === 0) return;
    await tx.manager.query('SELECT pg_advisory_xact_lock($1)', [EVENT_WRITE_LOCK]);
    const at = this.clock.now();
    const rows = events.map((e) => ({ ...e, actor: actorLabel(actor), at }));
    // PostgreSQL takes at most 65,535 parameters a statement: bulk changes insert in chunks.
    for (let start = 0; start < rows.length; start += 5000) await tx.manager.insert(TokenEventEntity, rows.slice(start, start + 5000));
    // Delivered by PostgreSQL only if this transaction commits.
    if (!this.db.embedded) await tx.manager.query('SELECT pg_notify($1, $2)', [EVENT_CHANNEL, '']);
    tx.afterCommit(() => {
      // Before the caller's response goes out: this instance's caches forget at once.
      this.emitter.emit('committed', rows);
      this.wake();
    });
  }

  /** This instance's own commits, synchronously at commit (no cursor yet); for cache invalidation. */
  onCommitted(listener: (events: NewTokenEvent[]) => void): () => void {
    this.emitter.on('committed', listener);
    return () => this.emitter.off('committed', listener);
  }

  /** Live events in cursor order, from every instance. */
  subscribe(listener: (event: TokenEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** Events after `cursor`, oldest first (for a subscriber resuming where it left off). */
  async history(after: string, filter: { provider?: string; kinds?: readonly string[] } = {}, limit = BATCH): Promise<TokenEvent[]> {
    const qb = this.db.manager.createQueryBuilder(TokenEventEntity, 'e').where('e.cursor > :after', { after });
    if (filter.provider) qb.andWhere('e.provider = :provider', { provider: filter.provider });
    if (filter.kinds?.length) qb.andWhere('e.kind IN (:...kinds)', { kinds: filter.kinds });
    const rows = await qb.orderBy('e.cursor', 'ASC').take(limit).getMany();
    return rows.map(toEvent);
  }

  /** Resolves once this instance has delivered every event committed before the call. */
  async settle(): Promise<void> {
    const [{ max }] = await this.db.dataSource.query('SELECT coalesce(max(cursor), 0)::text AS max FROM token_event');
    while (this.started && !this.stopped && this.lastSeen < BigInt(max)) {
      this.wake();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await this.reading;
  }

  /** The newest cursor this instance has delivered to its listeners. */
  get position(): string {
    return this.lastSeen.toString();
  }

  /**
   * Writes one EXPIRED event per token past its expiry that has none yet. The conditional update
   * makes a second sweeper (another instance) skip rows the first claimed: no duplicates.
   */
  async sweepExpired(): Promise<number> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const events: NewTokenEvent[] = [];
      for (const [table, subjectType] of [
        ['refresh_token', 'REFRESH_TOKEN'],
        ['access_token', 'ACCESS_TOKEN'],
      ] as const) {
        const result = await tx.manager.query(
          `UPDATE ${table} SET expiry_announced_at = $1
            WHERE id IN (SELECT id FROM ${table}
                          WHERE expires_at <= $1 AND expiry_announced_at IS NULL AND revoked_at IS NULL
                          ORDER BY expires_at LIMIT 1000 FOR UPDATE SKIP LOCKED)
            RETURNING id, owner_id, provider`,
          [now],
        );
        const rows: { id: string; owner_id: string; provider: string }[] = Array.isArray(result[0]) ? result[0] : result;
        for (const row of rows) events.push({ provider: row.provider, kind: 'EXPIRED', subjectType, subjectId: row.id, serviceAccountId: row.owner_id });
      }
      await this.append(tx, null, events);
      return events.length;
    });
  }

  /** Reads what is new; one read at a time, re-run when woken meanwhile. */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        try {
          await this.readNew();
        } catch {
          // The next wake or poll retries from the same cursor: nothing is lost.
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.reading = null));
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const rows = await this.db.manager
        .createQueryBuilder(TokenEventEntity, 'e')
        .where('e.cursor > :after', { after: this.lastSeen.toString() })
        .orderBy('e.cursor', 'ASC')
        .take(BATCH)
        .getMany();
      for (const row of rows) {
        this.lastSeen = BigInt(row.cursor);
        this.emitter.emit('event', toEvent(row));
      }
      if (rows.length < BATCH) return;
    }
  }

  private async connectListener(): Promise<void> {
    const client = new Client({ connectionString: this.db.url, application_name: 'keygate-listener' });
    const lost = () => {
      if (this.listener !== client) return;
      this.listener = null;
      this.listenerUp = false;
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', () => this.wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENT_CHANNEL}`);
    } catch {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.listenerUp = true;
    this.reconnectDelay = 100;
    // Whatever committed while nobody listened is in the table.
    this.wake();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connectListener();
    }, this.reconnectDelay);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, 5000);
  }
}

function toEvent(row: TokenEventEntity): TokenEvent {
  return {
    cursor: String(row.cursor),
    provider: row.provider,
    kind: row.kind as TokenEventKind,
    subjectType: row.subjectType as EventSubjectType,
    subjectId: row.subjectId,
    serviceAccountId: row.serviceAccountId,
    actor: row.actor,
    at: row.at,
  };
}
