/**
 * Reading an append-only table in an order where nothing is ever inserted behind a reader, without
 * serializing its writers.
 *
 * The trap: a sequence value is taken when a row is inserted, but the row becomes visible when its
 * transaction commits, and transactions commit in any order. A reader that remembers "I have seen
 * everything up to sequence 41" misses row 40 when 40 commits after 41 was read.
 *
 * The technique (the transaction-id reading of a polled outbox or event store): every row records
 * the id of the transaction that wrote it
 * (`pg_current_xact_id()`, a 64-bit id that never wraps). The log's order is (transaction id,
 * sequence). A reader takes only rows whose transaction id is below
 * `pg_snapshot_xmin(pg_current_snapshot())`: every transaction below that horizon has finished
 * (committed and visible to the reader's snapshot, or rolled back), and every transaction that
 * has not yet finished, or has not yet started, has an id at or above it. (Transactions of other
 * databases on the cluster are left out of that horizon: see HORIZON.) So a row that appears
 * later always sorts after every row a reader has already taken: "everything after position P"
 * never skips a late commit, and readers on any number of instances see the same total order.
 *
 * The price: a row waits until every transaction that got its id before the row's own has
 * finished, i.e. delivery lags by the longest write transaction running on the cluster (ms for
 * keygate's own; a long one elsewhere holds readers back while it runs). Rows above the horizon
 * that are already committed can still be read as "pending" (see `includePending`), for work
 * that needs no order, such as dropping a cached credential.
 *
 * Positions are (txid, seq) pairs; outside they travel as one decimal number, txid · 2⁶⁴ + seq,
 * which compares like the pair. Rows written before a table adopted the technique carry txid 0,
 * so their positions are their sequence numbers, as before.
 *
 * A table that uses it: a `bigint` sequence column, a `txid bigint NOT NULL DEFAULT
 * keygate_current_txid()` column (`@TxidColumn()` in its entity; the function returns
 * `pg_current_xact_id()` as a bigint), and an index on (txid, seq)
 * (prefixed by any column readers filter on by equality). On PGlite (one session, transactions
 * serialized) the horizon is simply "everything committed".
 */

export { TXID_DEFAULT, TxidColumn } from '../../entities/commit-order.column';

export interface LogPosition {
  txid: bigint;
  seq: bigint;
}

export const LOG_START: LogPosition = Object.freeze({ txid: 0n, seq: 0n });
const SEQ_SPAN = 1n << 64n;
const MAX_POSITION = (1n << 127n) - 1n;

export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.txid !== b.txid) return a.txid < b.txid ? -1 : 1;
  return a.seq === b.seq ? 0 : a.seq < b.seq ? -1 : 1;
}

export function encodePosition(position: LogPosition): string {
  return (position.txid * SEQ_SPAN + position.seq).toString();
}

/** A position from `encodePosition` (or a plain sequence number from before), else null. */
export function decodePosition(value: string): LogPosition | null {
  if (typeof value !== 'string' || !/^\d{1,39}$/.test(value)) return null;
  const number = BigInt(value);
  if (number > MAX_POSITION) return null;
  return { txid: number / SEQ_SPAN, seq: number % SEQ_SPAN };
}

/**
 * The horizon: the oldest transaction still running in this statement's snapshot, or the
 * snapshot's xmax when none is. Transactions that pg_stat_activity shows in another database are
 * left out (they can never write this database's rows), so a long transaction elsewhere on the
 * cluster does not hold readers back. Leaving one out is safe whatever the timing: a transaction
 * keeps its database for life, and one that ended meanwhile is simply no longer listed, so it is
 * kept (the conservative side). Compared on the low 32 bits, as pg_stat_activity shows them.
 */
const HORIZON = `
  SELECT coalesce(
           (SELECT min(xip::text::bigint) FROM pg_snapshot_xip(s.snap) AS xip
             WHERE (xip::text::bigint % 4294967296) NOT IN (
               SELECT a.backend_xid::text::bigint FROM pg_stat_activity a
                WHERE a.backend_xid IS NOT NULL AND a.datname IS DISTINCT FROM current_database())),
           pg_snapshot_xmax(s.snap)::text::bigint) AS horizon
    FROM (SELECT pg_current_snapshot() AS snap) s`;

export interface CommitOrderedTable {
  /** Table name (trusted: from code, never from input). */
  table: string;
  /** The sequence column. */
  seq: string;
  /** The transaction-id column. */
  txid?: string;
}

/** Runs one SQL statement with positional parameters and returns its rows. */
export type Query = (sql: string, parameters: unknown[]) => Promise<any[]>;

export interface CommittedRead<Row> {
  /** Rows below the horizon, in log order: final, safe to advance past. */
  settled: (Row & { position: LogPosition })[];
  /** With `includePending`: committed rows above the horizon (their order is not final yet). */
  pending: (Row & { position: LogPosition })[];
}

/**
 * Rows after `after` in log order, at most `limit` (settled rows sort first). `where` is an extra condition on
 * the table (alias `t`) whose parameters continue after the three this function uses ($1–$3).
 */
export async function readCommitted<Row>(
  query: Query,
  log: CommitOrderedTable,
  after: LogPosition,
  options: { limit: number; where?: string; parameters?: unknown[]; includePending?: boolean },
): Promise<CommittedRead<Row>> {
  const txid = log.txid ?? 'txid';
  const settledOnly = options.includePending ? '' : `AND t.${txid} < h.horizon`;
  const rows: any[] = await query(
    `WITH h AS (${HORIZON})
     SELECT t.*, t.${txid}::text AS log_txid, t.${log.seq}::text AS log_seq, (t.${txid} < h.horizon) AS log_settled
       FROM ${log.table} t, h
      WHERE (t.${txid}, t.${log.seq}) > ($1::bigint, $2::bigint) ${settledOnly} ${options.where ? `AND (${options.where})` : ''}
      ORDER BY t.${txid}, t.${log.seq}
      LIMIT $3`,
    [after.txid.toString(), after.seq.toString(), options.limit, ...(options.parameters ?? [])],
  );
  const result: CommittedRead<Row> = { settled: [], pending: [] };
  for (const row of rows) {
    const { log_txid, log_seq, log_settled, ...rest } = row;
    const entry = { ...(rest as Row), position: { txid: BigInt(log_txid), seq: BigInt(log_seq) } };
    (log_settled ? result.settled : result.pending).push(entry);
  }
  return result;
}

/** The newest position of the log: settled only (where a new reader starts), or any committed row. */
export async function headPosition(query: Query, log: CommitOrderedTable, options: { settled: boolean }): Promise<LogPosition> {
  const txid = log.txid ?? 'txid';
  const rows: { txid: string; seq: string }[] = await query(
    `SELECT t.${txid}::text AS txid, t.${log.seq}::text AS seq FROM ${log.table} t
      ${options.settled ? `WHERE t.${txid} < (${HORIZON})` : ''}
      ORDER BY t.${txid} DESC, t.${log.seq} DESC LIMIT 1`,
    [],
  );
  return rows[0] ? { txid: BigInt(rows[0].txid), seq: BigInt(rows[0].seq) } : LOG_START;
}
