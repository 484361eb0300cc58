import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import proxyaddr from 'proxy-addr';

/** Whether the peer at `address` (`hop` 0 is the socket's) is a proxy whose `X-Forwarded-For` is believed. */
export type ProxyTrust = (address: string, hop: number) => boolean;

const trustNobody: ProxyTrust = () => false;

/**
 * `KEYGATE_TRUST_PROXY` as a trust function (addresses, CIDRs, `loopback`…): nobody unless named,
 * so a client cannot pick its own limiter key by sending `X-Forwarded-For`.
 */
export function proxyTrust(entries: readonly string[]): ProxyTrust {
  return entries.length ? proxyaddr.compile([...entries]) : trustNobody;
}

/**
 * The one derivation of a caller's address, for failure limits and the audit origin. Express's
 * `req.ip` applies the app's `trust proxy` (set from proxyTrust); a bare socket (WebSocket
 * upgrade) is given the same trust.
 */
export function clientAddress(req: Request | IncomingMessage, trust: ProxyTrust = trustNobody): string {
  if ('ip' in req && typeof req.ip === 'string' && req.ip) return req.ip;
  if (!req.socket.remoteAddress) return 'unknown';
  return proxyaddr(req, trust);
}

/** `rest 10.0.0.7`, `graphql 127.0.0.1`, `ws …`: the audit origin of a request on a face. */
export function originOf(req: Request | IncomingMessage, face: string, trust?: ProxyTrust): string {
  return `${face} ${clientAddress(req, trust)}`;
}
