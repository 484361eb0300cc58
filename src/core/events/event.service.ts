import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import type { Clock } from '../clock';
import { comparePositions, decodePosition, encodePosition, headPosition, LOG_START, readCommitted, type CommitOrderedTable, type Database, type LogPosition, type Transaction } from '../database';
import { badInput } from '../errors';
import { actorLabel, type Actor } from '../credentials/actor';

export type TokenEventKind = 'CREATED' | 'REVOKED' | 'EXPIRED' | 'EXPIRING' | 'DELETED' | 'PERSONAS_CHANGED' | 'PERMISSIONS_CHANGED' | 'SECRET_CHANGED' | 'WEBHOOK_FAILING';
export type EventSubjectType = 'SERVICE_ACCOUNT' | 'REFRESH_TOKEN' | 'ACCESS_TOKEN' | 'WEBHOOK';
export const TOKEN_EVENT_KINDS: readonly TokenEventKind[] = ['CREATED', 'REVOKED', 'EXPIRED', 'EXPIRING', 'DELETED', 'PERSONAS_CHANGED', 'PERMISSIONS_CHANGED', 'SECRET_CHANGED', 'WEBHOOK_FAILING'];

export interface TokenEvent {
  cursor: string;
  provider: string;
  kind: TokenEventKind;
  subjectType: EventSubjectType;
  subjectId: string;
  serviceAccountId: string;
  actor: string;
  at: Date;
  /** EXPIRING only: the warning horizon it announces, in seconds before the expiry. */
  horizonSeconds?: number;
}

export interface NewTokenEvent {
  provider: string;
  kind: TokenEventKind;
  subjectType: EventSubjectType;
  subjectId: string;
  serviceAccountId: string;
  horizonSeconds?: number;
}

/** Kinds that change nobody's access: caches and open sockets ignore them. */
export const informational = (kind: string): boolean => kind === 'CREATED' || kind === 'EXPIRED' || kind === 'EXPIRING';

export const EVENT_CHANNEL = 'keygate_events';
const POLL_INTERVAL_MS = 5000;
const BATCH = 1000;
const SWEEP_BATCH = 1000;
/** Rows committed but held behind the horizon are looked at again this soon (then less often). */
const PENDING_RETRY_MS = [5, 10, 20, 50, 100, 200];
/** Held longer than this behind a long transaction elsewhere: caches stop trusting the stream. */
const MAX_HELD_MS = 1000;

/** Where the metrics go: one optional hook per fact, called synchronously. */
export interface EventObserver {
  /** Rows appended by this instance, at their commit. */
  appended?(events: readonly NewTokenEvent[]): void;
  /** One event handed to this instance's listeners, `lagMs` after the change was made. */
  delivered?(event: TokenEvent, lagMs: number): void;
}

/**
 * The two ways the expiry sweeper finds tokens, each along its own partial index: those whose next
 * notice has come, and those it has never looked at (new tokens), by expiry within the largest horizon.
 */
const SCHEDULED = 'x.expiry_notice_at <= $1 ORDER BY x.expiry_notice_at';
const UNSCHEDULED = 'x.expiry_notice_at IS NULL AND x.expires_at <= $1::timestamptz + make_interval(secs => $3::float8) ORDER BY x.expires_at';

/** The event log as a commit-ordered table (core/database/commit-order.ts). */
const EVENT_LOG: CommitOrderedTable = { table: 'token_event', seq: 'cursor', txid: 'txid' };

interface EventRow {
  cursor: string;
  provider: string;
  kind: string;
  subject_type: string;
  subject_id: string;
  service_account_id: string;
  actor: string;
  at: Date | string;
  horizon_seconds: number | null;
  position: LogPosition;
}

/**
 * The event log. Writers append rows inside the transaction of the change they describe; nothing
 * serializes them. Readers take the log in (writing transaction, cursor) order and only below the
 * transaction horizon (see core/database/commit-order.ts), so "everything after cursor N" never
 * skips a row that committed late, and every instance delivers the same order.
 *
 * Readers: one tailer per instance reads the table past the last position it delivered and hands
 * rows to local listeners in order. It is woken by the local commit, by PostgreSQL NOTIFY from any
 * instance (a dedicated LISTEN connection that reconnects and catches up after a drop), by a
 * short retry while committed rows wait behind the horizon, and by a slow poll as a last resort.
 * The table is the truth; a wake-up carries nothing.
 */
export class EventService {
  private readonly emitter = new EventEmitter();
  private lastSeen: LogPosition = LOG_START;
  /** Committed rows held behind the horizon, already announced to `onCommitted`: cursor → first seen. */
  private readonly held = new Map<string, number>();
  private heldRetry = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private again = false;
  private listener: Client | null = null;
  private listenerUp = false;
  private started = false;
  private stopped = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay = 100;
  private observer: EventObserver = {};

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    /** Warning horizons in seconds before an expiry, largest first (KEYGATE_EXPIRY_WARNINGS). */
    private readonly expiryWarnings: readonly number[] = [],
  ) {
    this.emitter.setMaxListeners(0);
  }

  /** The single place metrics attach to the event log. */
  observe(observer: EventObserver): void {
    this.observer = observer;
  }

  private readonly query = (sql: string, parameters: unknown[]) => this.db.dataSource.query(sql, parameters);
  /** The tail's read runs after every NOTIFY: one text, prepared once per connection, past the ORM. */
  private readonly tailQuery = (sql: string, parameters: unknown[]) => this.db.prepared({ name: 'keygate_event_tail', text: sql }, parameters);

  /** Starts tailing from the newest settled event: history before this is read with `history()`. */
  async start(): Promise<void> {
    this.lastSeen = await headPosition(this.query, EVENT_LOG, { settled: true });
    this.started = true;
    if (!this.db.embedded && this.db.url) await this.connectListener();
    this.pollTimer = setInterval(() => this.wake(), POLL_INTERVAL_MS);
    this.pollTimer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.reading?.catch(() => undefined);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }

  /**
   * True while every instance's writes reach this one within NOTIFY delivery time: the LISTEN
   * connection is up and no committed row has been held behind the horizon for long.
   */
  get live(): boolean {
    if (this.db.embedded) return true;
    if (!this.listenerUp) return false;
    const oldest = this.held.values().next();
    return oldest.done || this.clock.now().getTime() - oldest.value < MAX_HELD_MS;
  }

  async append(tx: Transaction, actor: Actor | null | undefined, events: NewTokenEvent[]): Promise<void> {
    if (events.length === 0) return;
    const at = this.clock.now();
    const column = (pick: (e: NewTokenEvent) => string) => events.map(pick);
    // One statement for any number of rows, in the order given (cursor order within the transaction).
    await tx.manager.query(
      `INSERT INTO token_event (provider, kind, subject_type, subject_id, service_account_id, horizon_seconds, actor, at)
       SELECT e.provider, e.kind, e.subject_type, e.subject_id, e.service_account_id, e.horizon_seconds, $7, $8
         FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::uuid[], $5::uuid[], $6::int[])
              WITH ORDINALITY AS e (provider, kind, subject_type, subject_id, service_account_id, horizon_seconds, n)
        ORDER BY e.n`,
      [
        column((e) => e.provider),
        column((e) => e.kind),
        column((e) => e.subjectType),
        column((e) => e.subjectId),
        column((e) => e.serviceAccountId),
        events.map((e) => e.horizonSeconds ?? null),
        actorLabel(actor),
        at,
      ],
    );
    // Delivered by PostgreSQL only if this transaction commits.
    if (!this.db.embedded) await tx.manager.query('SELECT pg_notify($1, $2)', [EVENT_CHANNEL, '']);
    tx.afterCommit(() => this.announce(events));
  }

  /**
   * Rows this instance wrote have committed (by `append`'s transaction or a group commit): before
   * the caller's response goes out, this instance's caches forget at once and the tailer reads.
   */
  announce(events: readonly NewTokenEvent[]): void {
    if (events.length === 0) return;
    this.observer.appended?.(events);
    this.emitter.emit('committed', events);
    this.wake();
  }

  /**
   * Every commit as soon as this instance can know of it, unordered, possibly more than once: its
   * own synchronously at commit, other instances' when read (before their order is final). For
   * cache invalidation, where speed matters and order does not.
   */
  onCommitted(listener: (events: NewTokenEvent[]) => void): () => void {
    this.emitter.on('committed', listener);
    return () => this.emitter.off('committed', listener);
  }

  /** Live events in log order, from every instance. */
  subscribe(listener: (event: TokenEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** Events after `cursor`, oldest first (for a subscriber resuming where it left off). */
  async history(after: string, filter: { provider?: string; kinds?: readonly string[] } = {}, limit = BATCH): Promise<TokenEvent[]> {
    const position = decodePosition(after);
    if (!position) throw badInput('`after` is a cursor from a previous event.', { field: 'after' });
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    if (filter.provider) conditions.push(`t.provider = $${4 + parameters.push(filter.provider) - 1}`);
    if (filter.kinds?.length) conditions.push(`t.kind = ANY($${4 + parameters.push([...filter.kinds]) - 1}::varchar[])`);
    const { settled } = await readCommitted<EventRow>(this.query, EVENT_LOG, position, { limit, where: conditions.join(' AND ') || undefined, parameters });
    return settled.map(toEvent);
  }

  /** The newest position of any committed event (what `settle` waits for). */
  async head(): Promise<string> {
    return encodePosition(await headPosition(this.query, EVENT_LOG, { settled: false }));
  }

  /** Resolves once this instance has delivered every event committed before the call. */
  async settle(): Promise<void> {
    const head = decodePosition(await this.head())!;
    while (this.started && !this.stopped && comparePositions(this.lastSeen, head) < 0) {
      this.wake();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await this.reading;
  }

  /** The newest cursor this instance has delivered to its listeners. */
  get position(): string {
    return encodePosition(this.lastSeen);
  }

  /**
   * Announces expiries: an EXPIRING event per token and warning horizon as the token enters it,
   * then one EXPIRED event once it is past. In batches of 1,000 per table, batch after batch while
   * they come back full (a backlog drains at once, not a batch per sweep interval).
   *
   * Each claimed token gets everything it is due in one transaction, oldest first: a token that
   * crossed the 7d and 1d horizons and its expiry while keygate was down gets EXPIRING 7d,
   * EXPIRING 1d, EXPIRED, in that order. A horizon counts only for a token that lives longer than
   * it (a 30-minute token never "enters" a 1d horizon: no warning). The row lock with SKIP LOCKED
   * makes a second sweeper (another instance) skip rows the first claimed, and the claimed row
   * records what was announced: no duplicates. It also records when it is next due
   * (`expiry_notice_at`), so a sweep reads only due tokens, not every token near its expiry.
   */
  async sweepExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const { announced, full } = await this.sweepBatch();
      total += announced;
      if (!full || this.stopped) return total;
    }
  }

  private sweepBatch(): Promise<{ announced: number; full: boolean }> {
    const now = this.clock.now();
    const horizons = this.expiryWarnings;
    return this.db.transaction(async (tx) => {
      const events: NewTokenEvent[] = [];
      let full = false;
      for (const [table, subjectType, claimed] of [
        ['refresh_token', 'REFRESH_TOKEN', SCHEDULED],
        ['refresh_token', 'REFRESH_TOKEN', UNSCHEDULED],
        ['access_token', 'ACCESS_TOKEN', SCHEDULED],
        ['access_token', 'ACCESS_TOKEN', UNSCHEDULED],
      ] as const) {
        // `due`: the smallest horizon the token has entered (among those shorter than its life);
        // `next`: when it enters the next one, else its expiry: the notice after this one.
        const result = await tx.manager.query(
          `UPDATE ${table} t
              SET expiry_warned_horizon = least(c.due, t.expiry_warned_horizon),
                  expiry_announced_at = CASE WHEN t.expires_at <= $1 THEN $1::timestamptz END,
                  expiry_notice_at = CASE WHEN t.expires_at <= $1 THEN NULL ELSE c.next END
             FROM (SELECT x.id, d.due, n.next, x.expiry_warned_horizon AS warned,
                          extract(epoch FROM x.expires_at - x.created_at)::float8 AS lifespan
                     FROM ${table} x
                     CROSS JOIN LATERAL (
                       SELECT min(h) AS due FROM unnest($2::int[]) AS h
                        WHERE x.expires_at - make_interval(secs => h) <= $1 AND x.expires_at - x.created_at > make_interval(secs => h)) d
                     CROSS JOIN LATERAL (
                       SELECT coalesce(min(x.expires_at - make_interval(secs => h)), x.expires_at) AS next FROM unnest($2::int[]) AS h
                        WHERE x.expires_at - make_interval(secs => h) > $1 AND x.expires_at - x.created_at > make_interval(secs => h)) n
                    WHERE x.expiry_announced_at IS NULL AND x.revoked_at IS NULL AND ${claimed}
                    LIMIT ${SWEEP_BATCH} FOR UPDATE OF x SKIP LOCKED) c
            WHERE t.id = c.id
            RETURNING t.id, t.owner_id, t.provider, c.due, c.warned, c.lifespan, t.expiry_announced_at IS NOT NULL AS expired`,
          claimed === SCHEDULED ? [now, horizons] : [now, horizons, horizons[0] ?? 0],
        );
        const rows: SweptRow[] = Array.isArray(result[0]) ? result[0] : result;
        if (rows.length === SWEEP_BATCH) full = true;
        for (const row of rows) {
          const token = { provider: row.provider, subjectType, subjectId: row.id, serviceAccountId: row.owner_id };
          const warned = row.warned ?? Infinity;
          if (row.due !== null)
            for (const horizon of horizons) if (horizon >= row.due && horizon < warned && horizon < Number(row.lifespan)) events.push({ ...token, kind: 'EXPIRING', horizonSeconds: horizon });
          if (row.expired) events.push({ ...token, kind: 'EXPIRED' });
        }
      }
      await this.append(tx, null, events);
      return { announced: events.length, full };
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
          // The next wake or poll retries from the same position: nothing is lost.
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.reading = null));
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const { settled, pending } = await readCommitted<EventRow>(this.tailQuery, EVENT_LOG, this.lastSeen, { limit: BATCH, includePending: true });
      const now = this.clock.now().getTime();
      for (const row of settled) {
        this.lastSeen = row.position;
        this.held.delete(String(row.cursor));
        const event = toEvent(row);
        this.observer.delivered?.(event, now - event.at.getTime());
        this.emitter.emit('event', event);
      }
      // Committed elsewhere, order not final yet: caches may forget them now.
      const fresh = pending.filter((row) => !this.held.has(String(row.cursor)));
      for (const row of fresh) this.held.set(String(row.cursor), now);
      if (fresh.length) this.emitter.emit('committed', fresh.map(toEvent));
      if (settled.length === BATCH) continue;
      if (pending.length) this.retrySoon();
      else this.heldRetry = 0;
      return;
    }
  }

  /** Rows wait behind a transaction that sends no NOTIFY when it ends: look again shortly. */
  private retrySoon(): void {
    if (this.retryTimer || this.stopped) return;
    const delay = PENDING_RETRY_MS[Math.min(this.heldRetry++, PENDING_RETRY_MS.length - 1)];
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.wake();
    }, delay);
    this.retryTimer.unref();
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

function toEvent(row: EventRow): TokenEvent {
  return {
    cursor: encodePosition(row.position),
    provider: row.provider,
    kind: row.kind as TokenEventKind,
    subjectType: row.subject_type as EventSubjectType,
    subjectId: row.subject_id,
    serviceAccountId: row.service_account_id,
    actor: row.actor,
    at: new Date(row.at),
    ...(row.horizon_seconds === null || row.horizon_seconds === undefined ? {} : { horizonSeconds: Number(row.horizon_seconds) }),
  };
}

interface SweptRow {
  id: string;
  owner_id: string;
  provider: string;
  due: number | null;
  warned: number | null;
  lifespan: number | string;
  expired: boolean;
}
