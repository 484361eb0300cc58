import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';

/**
 * The one derivation of a caller's address, for failure limits and the audit origin. Express's
 * `req.ip` honours the app's `trust proxy` setting; a bare socket (WebSocket upgrade) has only
 * its peer address.
 */
export function clientAddress(req: Request | IncomingMessage): string {
  return ('ip' in req && typeof req.ip === 'string' && req.ip) || req.socket.remoteAddress || 'unknown';
}

/** `rest 10.0.0.7`, `graphql 127.0.0.1`, `ws …`: the audit origin of a request on a face. */
export function originOf(req: Request | IncomingMessage, face: string): string {
  return `${face} ${clientAddress(req)}`;
}
