import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isGatewayError } from '../core';
import type { Logger } from './logger';

const PASSTHROUGH_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE', 'BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED']);

/** Apollo's message when an automatic persisted query's sha256Hash is not its query's hash. */
const APQ_HASH_MISMATCH = 'provided sha does not match query';

/**
 * What a client sees of an error: our typed errors as they are, GraphQL's own parse and validation
 * errors, class-validator's argument errors as BAD_USER_INPUT, and for anything else one masked
 * "Internal server error" (the original goes to the log). No stack traces, no SQL.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, logger?: Logger): GraphQLFormattedError {
  // Apollo raises this one without a code, so it would read as an internal error.
  if (error instanceof GraphQLError && error.message === APQ_HASH_MISMATCH) return { message: error.message, extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' } };
  const original = error instanceof GraphQLError ? error.originalError ?? error : error;
  if (isGatewayError(original)) {
    return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: { code: original.code, ...(original.details ?? {}) } };
  }
  if (original && (original as { name?: string }).name === 'ArgumentValidationError') {
    const details = ((original as { extensions?: { validationErrors?: { property: string; constraints?: Record<string, string> }[] } }).extensions?.validationErrors ?? []).map(
      (v) => ({ field: v.property, problems: Object.values(v.constraints ?? {}) }),
    );
    return { message: 'Invalid input: ' + details.map((d) => `${d.field}: ${d.problems.join('; ')}`).join(' | '), locations: formatted.locations, path: formatted.path, extensions: { code: 'BAD_USER_INPUT', validationErrors: details } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && PASSTHROUGH_CODES.has(code)) {
    const retry = formatted.extensions?.retryAfterSeconds;
    return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code, ...(retry !== undefined ? { retryAfterSeconds: retry } : {}) } };
  }
  if (!code && !formatted.path && error instanceof GraphQLError && (!error.originalError || error.originalError instanceof GraphQLError)) {
    // Errors GraphQL itself raised about the request (variable coercion, an unknown enum value,
    // which graphql-ws passes on wrapped): the client's fault.
    return { message: formatted.message, locations: formatted.locations, extensions: { code: 'BAD_USER_INPUT' } };
  }
  logger?.error('unexpected error', { error: original instanceof Error ? original.stack ?? original.message : String(original) });
  return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
