import type { TestGateway } from './gateway';

type Query = (sql: string, params?: unknown[]) => Promise<any[]>;

/**
 * Every text-like value in every table of a gateway's database, for asserting that a plain
 * secret is stored nowhere.
 */
export async function storedText(query: Query): Promise<string> {
  const columns: { table_name: string; column_name: string }[] = await query(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')`,
  );
  const parts: string[] = [];
  for (const { table_name, column_name } of columns) {
    const rows: { v: string | null }[] = await query(`SELECT "${column_name}"::text AS v FROM "${table_name}"`);
    for (const row of rows) if (row.v) parts.push(row.v);
  }
  return parts.join('\n');
}

export function allStoredText(t: TestGateway): Promise<string> {
  return storedText((sql, params = []) => t.gateway.db.dataSource.query(sql, params));
}

/** Rows per table of a gateway's database (one statement), for asserting that a refused request changed nothing. */
export async function rowCounts(t: TestGateway): Promise<Record<string, number>> {
  const query = (sql: string) => t.gateway.db.dataSource.query(sql) as Promise<any[]>;
  const tables: { table_name: string }[] = await query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`);
  const [row] = await query(`SELECT ${tables.map(({ table_name }, i) => `(SELECT count(*) FROM "${table_name}") AS c${i}`).join(', ')}`);
  return Object.fromEntries(tables.map(({ table_name }, i) => [table_name, Number(row[`c${i}`])]));
}
