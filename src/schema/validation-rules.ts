import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLArmorConfig } from '@escape.tech/graphql-armor-types';
import { parse, type DocumentNode, type ParseOptions, type ValidationRule } from 'graphql';

/**
 * The gateway's document limits, enforced by graphql-armor before any resolver runs and before
 * authentication matters. Every rule visits each fragment once, so validation grows with the
 * document's length, not with the number of paths through its fragments. Depth counts fields
 * only (fragments are flattened): a fragment bomb is refused by its cost, which armor computes
 * once per fragment.
 */
export const GRAPHQL_LIMITS = {
  maxDepth: 12,
  maxAliases: 50,
  maxDirectives: 50,
  // armor's default; graphql-js's OverlappingFieldsCanBeMerged compares sibling fragments pairwise, and this bounds it.
  maxTokens: 1000,
  maxCost: 50_000,
} as const;

const armorConfig = (): GraphQLArmorConfig => ({
  maxDepth: { n: GRAPHQL_LIMITS.maxDepth, flattenFragments: true },
  maxAliases: { n: GRAPHQL_LIMITS.maxAliases },
  maxDirectives: { n: GRAPHQL_LIMITS.maxDirectives },
  // Armor's token plugin throws from Apollo's parsingDidStart, which Apollo answers with a 500; graphql-js's own
  // `maxTokens` (the counter armor's parser wraps) fails the parse itself, a GRAPHQL_PARSE_FAILED 400.
  maxTokens: { enabled: false },
  costLimit: { maxCost: GRAPHQL_LIMITS.maxCost, flattenFragments: true },
  // Suggestions are hidden from anonymous callers only (src/server/graphql-posture.ts), which armor's switch cannot tell.
  blockFieldSuggestion: { enabled: false },
});

/** The token limit, for Apollo's `parseOptions` and for `parseLimited`. */
export const parseOptions: ParseOptions = { maxTokens: GRAPHQL_LIMITS.maxTokens };

/** Armor's Apollo protection: its validation rules (and its plugins, none while suggestions and tokens are ours). */
export function apolloLimits(): { validationRules: ValidationRule[]; plugins: ApolloServerPlugin[]; parseOptions: ParseOptions } {
  const { validationRules, plugins } = new ApolloArmor(armorConfig()).protect();
  return { validationRules, plugins, parseOptions };
}

/** The same limits for a path Apollo does not serve (graphql-ws): armor's rules, reporting as validation errors. */
export const gatewayValidationRules: readonly ValidationRule[] = apolloLimits().validationRules;

/** Parses with the token limit (a syntax error past it), as Apollo's parsing does. */
export function parseLimited(source: string): DocumentNode {
  return parse(source, parseOptions);
}
