import type { SelectQueryBuilder } from 'typeorm';
import { badInput } from '../errors';

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  endCursor: string | null;
  /** 0 when the lister was told not to count (`countTotal: false`). */
  totalCount: number;
}

export const MAX_PAGE = 1000;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  // Exactly what encodeCursor writes: anything else never reaches SQL.
  if (!createdAt || !id || !ISO_INSTANT.test(createdAt) || Number.isNaN(Date.parse(createdAt)) || !isUuid(id)) throw badInput('Invalid cursor.', { field: 'after' });
  return [createdAt, id];
}

/** Keyset pagination on (created_at, id), oldest first; the cursor is opaque to clients. */
export async function keysetPage<E extends { createdAt: Date; id: string }>(
  qb: SelectQueryBuilder<E>,
  alias: string,
  args: { first?: number | null; after?: string | null; countTotal?: boolean },
): Promise<Page<E>> {
  const first = Math.min(Math.max(args.first ?? 20, 0), MAX_PAGE);
  // A count reads every matching row: only when the caller asked for it.
  const totalCount = args.countTotal === false ? 0 : await qb.clone().getCount();
  if (args.after) {
    const [createdAt, id] = decodeCursor(args.after);
    qb.andWhere(`(${alias}.created_at, ${alias}.id) > (:createdAt, :id)`, { createdAt, id });
  }
  const rows = await qb.orderBy(`${alias}.created_at`, 'ASC').addOrderBy(`${alias}.id`, 'ASC').take(first + 1).getMany();
  const nodes = rows.slice(0, first);
  const last = nodes[nodes.length - 1];
  return { nodes, hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last) : null, totalCount };
}

export const emptyPage = <T>(): Page<T> => ({ nodes: [], hasNextPage: false, endCursor: null, totalCount: 0 });

/** A database bigint given as text (event cursors, audit ids): digits within range, else null. */
export function parseBigintId(value: string): bigint | null {
  if (!/^\d{1,19}$/.test(value)) return null;
  const parsed = BigInt(value);
  return parsed <= 9223372036854775807n ? parsed : null;
}
