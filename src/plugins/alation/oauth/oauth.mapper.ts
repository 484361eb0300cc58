import type { ErrorCode } from '../../../core';
import type { ErrorShape } from '../../route-kit';
import { oauthError } from './oauth.shapes';

const BASIC_CHALLENGE = 'Basic realm="keygate", charset="UTF-8"';

/** RFC 6749 §5.2 `{error, error_description}`; a 401 always names the Basic scheme (RFC 9110 §15.5.2). */
export const oauthErrors: ErrorShape = {
  schema: oauthError,
  render({ code, message, details }) {
    const error = (status: number, name: string, description: string, headers?: Record<string, string>) => ({ status, body: { error: name, error_description: description }, headers });
    switch (code) {
      case 'UNAUTHENTICATED':
        return error(401, 'invalid_client', 'Client authentication failed: send the client_id and client_secret of an OAuth client, by HTTP Basic or in the form body (not both).', {
          'www-authenticate': BASIC_CHALLENGE,
        });
      case 'BAD_USER_INPUT':
        return error(400, typeof details.error === 'string' ? details.error : 'invalid_request', message);
      case 'RATE_LIMITED':
        return error(429, 'temporarily_unavailable', message);
      case 'BAD_REQUEST':
        return error(400, 'invalid_request', 'Request body could not be read.');
      case 'PAYLOAD_TOO_LARGE':
        return error(413, 'invalid_request', 'Request body is too large.');
      default:
        return error(500, 'server_error', 'Internal server error.');
    }
  },
};

const ADMIN_ERRORS: Record<ErrorCode | 'BAD_REQUEST' | 'PAYLOAD_TOO_LARGE' | 'INTERNAL', string> = {
  UNAUTHENTICATED: 'invalid_token',
  FORBIDDEN: 'access_denied',
  BAD_USER_INPUT: 'invalid_request',
  NOT_FOUND: 'not_found',
  CONFLICT: 'conflict',
  RATE_LIMITED: 'rate_limited',
  BAD_REQUEST: 'invalid_request',
  PAYLOAD_TOO_LARGE: 'invalid_request',
  INTERNAL: 'server_error',
};

/** The administration routes: `{error, error_description}` with the gateway's status codes. */
export const oauthAdminErrors: ErrorShape = {
  schema: oauthError,
  render({ code, message }) {
    return {
      body: { error: ADMIN_ERRORS[code], error_description: code === 'INTERNAL' ? 'Internal server error.' : message },
      headers: code === 'UNAUTHENTICATED' ? { 'www-authenticate': 'Bearer realm="keygate"' } : undefined,
    };
  },
};
