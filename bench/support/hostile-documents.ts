/**
 * GraphQL documents shaped to make validation expensive, by size `n`: the bench times them, the
 * limit tests (test/server/graphql-limits.test.ts) send them. Each is a valid document against
 * keygate's schema, so only the limits can refuse it.
 */

/** Each fragment spreads the next one twice: 2^n paths in `n` lines. */
export function fragmentBomb(n: number): string {
  const fragments = Array.from({ length: n }, (_, i) => (i < n - 1 ? `fragment F${i} on Viewer { name ...F${i + 1} ...F${i + 1} }` : `fragment F${i} on Viewer { name }`));
  return `query { viewer { ...F0 } }\n${fragments.join('\n')}`;
}

/** `n` fragments side by side, each with an aliased field: aliases are counted through fragments. */
export function wideFragments(n: number): string {
  const spreads = Array.from({ length: n }, (_, i) => `...W${i}`).join(' ');
  const fragments = Array.from({ length: n }, (_, i) => `fragment W${i} on Viewer { a${i}: name kind }`);
  return `query { viewer { ${spreads} } }\n${fragments.join('\n')}`;
}

/** Lists inside lists, `n` levels of service account → refresh token → owner. */
export function nestedLists(n: number): string {
  let selection = 'id';
  for (let i = 0; i < n; i++) selection = `refreshTokens { owner { ${selection} } }`;
  return `query { serviceAccounts { nodes { ${selection} } } }`;
}

/** `n` operations in one document (the first is the one run). */
export function manyOperations(n: number): string {
  return Array.from({ length: n }, (_, i) => `query Q${i} { viewer { name kind } }`).join('\n');
}

/** The same field `n` times, each with a directive. */
export function manyDirectives(n: number): string {
  return `query { viewer { ${Array.from({ length: n }, () => 'name @include(if: true)').join(' ')} } }`;
}

export const TRIVIAL_DOCUMENT = 'query { viewer { name } }';

export const HOSTILE_SHAPES: Record<string, (n: number) => string> = { fragmentBomb, wideFragments, nestedLists, manyOperations, manyDirectives };
