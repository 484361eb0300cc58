import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Database } from '../database';
import type { Logger } from '../logger';
import { readCommitted, type CommitOrderedTable, type Query } from '../database/commit-order';

/**
 * The audit log as a hash chain, one per database, without serializing the writers.
 *
 * A writer cannot know its predecessor when it inserts: transactions commit in any order, so the
 * row inserted just before may still roll back, or commit after. Writers therefore insert as they
 * always did (no lock, no extra statement); each row records its transaction id (`txid`). Rows
 * whose transaction is below the horizon (core/database/commit-order.ts) are final and in their
 * final order, (txid, id). The sealer takes them in that order after the chain's head and gives
 * each its place (`seq`), its predecessor (`prev_id`, `prev_hash`) and its `hash`, in one
 * transaction under an advisory lock that only sealers take. An instance seals every second for a
 * few seconds after it wrote a row, else every ten; `verify`, `export` and `readSealed` seal first.
 *
 * A row's hash is SHA-256 (hex) of its record (`AuditRecord` without `hash`) in the JSON
 * Canonicalization Scheme (RFC 8785), so anyone holding an export can recompute it.
 */

export const GENESIS_HASH = '0'.repeat(64);
const BATCH = 1000;
/** How often an instance that wrote no audit row looks for other instances' rows. */
const IDLE_SEAL_MS = 10_000;
/** How long after writing a row an instance seals every second (the row's transaction may still be open). */
const BUSY_SEAL_MS = 3_000;
/** The advisory lock key of the sealer (advisory locks are per database). */
const SEALER_LOCK = 7_301_652_023;
const AUDIT_LOG: CommitOrderedTable = { table: 'audit_event', seq: 'id' };

/** One sealed audit row as it leaves keygate (export, webhooks). */
export interface AuditRecord {
  /** The row's place in the chain: 1, 2, … with no gap. Also a reader's cursor. */
  seq: string;
  id: string;
  /** RFC 3339 in UTC, microseconds: `2026-01-31T09:00:00.123000Z`. */
  at: string;
  provider: string | null;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  origin: string;
  detail: Record<string, unknown>;
  /** The predecessor's id (null for the first row) and hash (`GENESIS_HASH` for the first row). */
  prevId: string | null;
  prevHash: string;
  hash: string;
}

export type AuditProblem = { id: string; seq: string | null; reason: 'changed' | 'removed'; message: string };

export interface AuditVerification {
  intact: boolean;
  /** Sealed rows checked. */
  rows: number;
  head: { seq: string; id: string | null; hash: string };
  /** Rows not sealed yet (their transaction, or an older one, was still running). */
  unsealed: number;
  /** The first row that was changed or removed. */
  problem: AuditProblem | null;
}

export interface AuditRange {
  since?: Date | null;
  until?: Date | null;
  /** Only these providers' rows (`AuditService.readableProviders`); 'all' or unset: every row. */
  providers?: 'all' | readonly string[];
}

/** RFC 8785 for JSON values: keys sorted by UTF-16 code units, ECMAScript number and string forms. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const object = value as Record<string, unknown>;
  const members = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`);
  return `{${members.join(',')}}`;
}

export function auditRecordHash(record: Omit<AuditRecord, 'hash'> & { hash?: unknown }): string {
  const { hash: _ignored, ...content } = record;
  return createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
}

/** A row as the driver returns it (chain columns as stored). */
type AuditRow = Pick<AuditRecord, 'id' | 'at' | 'provider' | 'actor' | 'action' | 'target' | 'outcome' | 'origin'> & {
  detail: Record<string, unknown> | string;
  seq: string | null;
  prev_id: string | null;
  prev_hash: string | null;
  hash: string | null;
};

interface Head {
  seq: string;
  audit_id: string | null;
  txid: string;
  hash: string;
}

/** `at` as stored, to the microsecond, in UTC (RFC 3339), whatever the session's time zone. */
const COLUMNS = `id::text AS id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, provider, actor, action, target, outcome, origin, detail, seq::text AS seq, prev_id::text AS prev_id, prev_hash, hash`;

function recordOf(row: AuditRow, chain: { seq: string; prevId: string | null; prevHash: string }): Omit<AuditRecord, 'hash'> {
  return {
    seq: chain.seq,
    id: String(row.id),
    at: row.at,
    provider: row.provider,
    actor: row.actor,
    action: row.action,
    target: row.target,
    outcome: row.outcome,
    origin: row.origin,
    detail: typeof row.detail === 'string' ? (JSON.parse(row.detail) as Record<string, unknown>) : row.detail,
    prevId: chain.prevId,
    prevHash: chain.prevHash,
  };
}

/** A sealed row as stored (the chain columns as they are, not as they should be). */
function sealedRecord(row: AuditRow): AuditRecord {
  return { ...recordOf(row, { seq: String(row.seq), prevId: row.prev_id, prevHash: row.prev_hash ?? '' }), hash: row.hash ?? '' };
}

export class AuditChain {
  private readonly sealedListeners = new Set<() => void>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private busyUntil = 0;
  private lastSeal = 0;

  constructor(private readonly db: Database) {}

  /** Called after this instance sealed rows (other instances' rows are found by reading). */
  onSealed(listener: () => void): () => void {
    this.sealedListeners.add(listener);
    return () => this.sealedListeners.delete(listener);
  }

  /** A row was just written on this instance: seal soon. */
  noteWritten(): void {
    this.busyUntil = Date.now() + BUSY_SEAL_MS;
  }

  /** Seals every row below the horizon; returns how many it sealed. */
  async seal(): Promise<number> {
    let total = 0;
    for (;;) {
      const sealed = await this.db.transaction((tx) => this.sealBatch(tx.manager));
      total += sealed;
      if (sealed < BATCH) break;
    }
    if (total) for (const listener of this.sealedListeners) listener();
    return total;
  }

  private async sealBatch(manager: EntityManager): Promise<number> {
    const query: Query = (sql, parameters) => manager.query(sql, parameters);
    // Only sealers take this lock; writers never wait for it. It assigns no transaction id, so
    // the sealer holds no horizon back until its final UPDATE.
    await manager.query(`SELECT pg_advisory_xact_lock($1)`, [SEALER_LOCK]);
    const [head] = (await manager.query(`SELECT seq::text AS seq, audit_id::text AS audit_id, txid::text AS txid, hash FROM audit_chain_head WHERE id = 1`)) as Head[];
    const { settled } = await readCommitted<{ id: string }>(query, AUDIT_LOG, { txid: BigInt(head.txid), seq: BigInt(head.audit_id ?? 0) }, { limit: BATCH });
    if (!settled.length) return 0;
    // Hashed from the very columns `verify` reads.
    const stored = (await manager.query(`SELECT ${COLUMNS} FROM audit_event WHERE id = ANY($1::bigint[])`, [settled.map((row) => String(row.id))])) as AuditRow[];
    const byId = new Map(stored.map((row) => [row.id, row]));
    let seq = BigInt(head.seq);
    let prevId = head.audit_id;
    let prevHash = head.hash;
    const columns = { ids: [] as string[], seqs: [] as string[], prevIds: [] as (string | null)[], prevHashes: [] as string[], hashes: [] as string[] };
    for (const { id } of settled) {
      const row = byId.get(String(id))!;
      seq += 1n;
      const hash = auditRecordHash(recordOf(row, { seq: seq.toString(), prevId, prevHash }));
      columns.ids.push(String(row.id));
      columns.seqs.push(seq.toString());
      columns.prevIds.push(prevId);
      columns.prevHashes.push(prevHash);
      columns.hashes.push(hash);
      prevId = String(row.id);
      prevHash = hash;
    }
    await manager.query(
      `UPDATE audit_event a SET seq = v.seq, prev_id = v.prev_id, prev_hash = v.prev_hash, hash = v.hash
         FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::varchar[], $5::varchar[]) AS v(id, seq, prev_id, prev_hash, hash)
        WHERE a.id = v.id`,
      [columns.ids, columns.seqs, columns.prevIds, columns.prevHashes, columns.hashes],
    );
    const last = settled[settled.length - 1];
    await manager.query(`UPDATE audit_chain_head SET seq = $1, audit_id = $2, txid = $3, hash = $4 WHERE id = 1`, [seq.toString(), prevId, last.position.txid.toString(), prevHash]);
    return settled.length;
  }

  /**
   * Sealed records after `afterSeq` (a record's `seq`; null or '0' from the start), in chain
   * order, at most `limit`. Seals first, so a reader sees everything final up to now.
   */
  async readSealed(afterSeq: string | null, limit: number, range: AuditRange = {}): Promise<AuditRecord[]> {
    await this.seal();
    const after = afterSeq && /^\d{1,19}$/.test(afterSeq) ? afterSeq : '0';
    const rows = (await this.db.manager.query(
      `SELECT ${COLUMNS} FROM audit_event
        WHERE seq > $1 AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
          AND ($5::varchar[] IS NULL OR provider = ANY($5::varchar[]))
        ORDER BY audit_event.seq LIMIT $2`,
      [after, Math.max(1, Math.min(limit, BATCH)), range.since ?? null, range.until ?? null, range.providers && range.providers !== 'all' ? [...range.providers] : null],
    )) as AuditRow[];
    return rows.map(sealedRecord);
  }

  /**
   * Walks the chain from its first row to its head: each row's hash must match its content, its
   * predecessor link must name the row before it, and the last row must be the head the sealer
   * recorded. The first row that fails is named.
   */
  async verify(): Promise<AuditVerification> {
    await this.seal();
    const [head] = (await this.db.manager.query(`SELECT seq::text AS seq, audit_id::text AS audit_id, txid::text AS txid, hash FROM audit_chain_head WHERE id = 1`)) as Head[];
    const [{ unsealed }] = (await this.db.manager.query(`SELECT count(*)::int AS unsealed FROM audit_event WHERE seq IS NULL`)) as { unsealed: number }[];
    const result = (problem: AuditProblem | null, rows: number): AuditVerification => ({
      intact: !problem,
      rows,
      head: { seq: head.seq, id: head.audit_id, hash: head.hash },
      unsealed,
      problem,
    });
    let last: { seq: string; id: string | null; hash: string } = { seq: '0', id: null, hash: GENESIS_HASH };
    let rows = 0;
    for (;;) {
      const batch = (await this.db.manager.query(`SELECT ${COLUMNS} FROM audit_event WHERE seq > $1 AND seq <= $2 ORDER BY audit_event.seq LIMIT $3`, [last.seq, head.seq, BATCH])) as AuditRow[];
      for (const row of batch) {
        const record = sealedRecord(row);
        const problem = linkProblem(record, last);
        if (problem) return result(problem, rows);
        rows += 1;
        last = { seq: record.seq, id: record.id, hash: record.hash };
      }
      if (batch.length < BATCH) break;
    }
    if (last.seq !== head.seq) {
      const removed = head.audit_id ?? '?';
      return result({ id: removed, seq: head.seq, reason: 'removed', message: `audit row ${removed} (seq ${head.seq}, the newest sealed) was removed${last.id ? `; the chain now ends at row ${last.id}` : ''}` }, rows);
    }
    if (last.hash !== head.hash && last.id)
      return result({ id: last.id, seq: last.seq, reason: 'changed', message: `audit row ${last.id} (seq ${last.seq}) was changed: it no longer matches the chain's head` }, rows);
    return result(null, rows);
  }

  /**
   * Seals in the background until `stop`. A failed seal is retried on the next tick; the first
   * failure of a streak is logged (with its cause) and so is the recovery, not every second between.
   */
  start(logger?: Logger): void {
    if (this.timer) return;
    let failing = false;
    this.timer = setInterval(() => {
      const now = Date.now();
      if (this.running || (now >= this.busyUntil && now - this.lastSeal < IDLE_SEAL_MS)) return;
      this.lastSeal = now;
      this.running = this.seal()
        .then(
          () => {
            if (failing) logger?.info('audit chain sealing recovered');
            failing = false;
          },
          (error: unknown) => {
            if (!failing) logger?.warn('audit chain sealing failed; retrying every second', { err: error });
            failing = true;
          },
        )
        .finally(() => (this.running = undefined));
    }, 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

/** What is wrong with `record` as the successor of `previous`, if anything. */
function linkProblem(record: AuditRecord, previous: { seq: string; id: string | null; hash: string }): AuditProblem | null {
  const at = `audit row ${record.id} (seq ${record.seq})`;
  if (auditRecordHash(record) !== record.hash) return { id: record.id, seq: record.seq, reason: 'changed', message: `${at} was changed: its content no longer matches its hash` };
  if (record.prevId !== previous.id || BigInt(record.seq) !== BigInt(previous.seq) + 1n) {
    const removed = record.prevId ?? '?';
    return { id: removed, seq: null, reason: 'removed', message: `audit row ${removed} was removed: ${at} names it as its predecessor${previous.id ? `, but follows row ${previous.id}` : ''}` };
  }
  if (record.prevHash !== previous.hash && previous.id)
    return { id: previous.id, seq: previous.seq, reason: 'changed', message: `audit row ${previous.id} (seq ${previous.seq}) was changed: ${at} no longer links to its hash` };
  return null;
}
