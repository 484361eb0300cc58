import { registerEnumType } from 'type-graphql';

/**
 * `Provider` holds one value per registered provider (`alation` → `ALATION`). type-graphql reads an
 * enum's values when the schema is built, so `defineProviderEnum` fills this object first.
 */
export const Provider: Record<string, string> = {};

registerEnumType(Provider, { name: 'Provider', description: 'The vendor whose identity semantics a record follows.' });

export function defineProviderEnum(ids: readonly string[]): void {
  for (const key of Object.keys(Provider)) delete Provider[key];
  for (const id of ids) Provider[id.toUpperCase()] = id;
}
