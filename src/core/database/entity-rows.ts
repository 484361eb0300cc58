import type { Database } from './database';

type EntityClass<T> = new () => T;

/**
 * The select list of an entity's columns as its property names (`a.client_id AS "clientId"`),
 * from the ORM's metadata: a raw row of it reads back as the entity the ORM would have loaded.
 * `prefix` keeps two entities of one row apart (`owner.` → `"owner.clientId"`).
 */
export function entityColumns(db: Database, entity: EntityClass<unknown>, alias: string, prefix = ''): string {
  return db.dataSource
    .getMetadata(entity)
    .columns.map((column) => `${alias}.${column.databaseName} AS "${prefix}${column.propertyName}"`)
    .join(', ');
}

/** The entity of a row selected with `entityColumns`. */
export function entityOf<T>(entity: EntityClass<T>, row: Record<string, unknown>, prefix = ''): T {
  const value = new entity() as Record<string, unknown>;
  for (const [key, field] of Object.entries(row)) if (key.startsWith(prefix) && (prefix || !key.includes('.'))) value[key.slice(prefix.length)] = field;
  return value as T;
}
