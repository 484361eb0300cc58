/**
 * Typed errors: every failure a caller can cause maps to one of API.md's codes.
 * Anything else is an internal error and is masked at the edge.
 */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED';

const httpStatusByCode: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
};

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'GatewayError';
    this.code = code;
    this.details = details;
  }

  get httpStatus(): number {
    return httpStatusByCode[this.code];
  }
}

/** One message for every authentication failure, so that a caller learns nothing about why. */
export const UNAUTHENTICATED_MESSAGE = 'Authentication required: missing, invalid, expired or revoked credential.';

export const unauthenticated = () => new GatewayError('UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE);
export const forbidden = (message = 'You are not allowed to perform this action.') => new GatewayError('FORBIDDEN', message);
export const badInput = (message: string, details?: Record<string, unknown>) => new GatewayError('BAD_USER_INPUT', message, details);
export const notFound = (what: string) => new GatewayError('NOT_FOUND', `${what} not found.`);
export const conflict = (message: string) => new GatewayError('CONFLICT', message);

export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}
