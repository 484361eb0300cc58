import { Column } from 'typeorm';

/**
 * The id of the transaction that writes the row: `pg_current_xact_id()` as a bigint, wrapped in a
 * function (migration 1732300012000) so that the column default carries no cast.
 */
export const TXID_DEFAULT = 'keygate_current_txid()';

/** The column a commit-ordered table needs (core/database/commit-order.ts): the writing transaction's id. */
export const TxidColumn = () => Column({ type: 'bigint', default: () => TXID_DEFAULT });
