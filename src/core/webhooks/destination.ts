import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { badInput } from '../errors';

/**
 * The SSRF guard: a webhook may only reach the public internet over https, unless the operator
 * allows private destinations (`KEYGATE_WEBHOOK_ALLOW_PRIVATE=true`, for development and for
 * receivers inside the same network). A name is resolved and every address it resolves to is
 * checked, at creation and again at every connection (the lookup below is the one the socket
 * uses), so a name that later resolves to 127.0.0.1 or 169.254.169.254 is refused then too.
 */

/** The range an address falls in when it is not a public unicast one; null when it is public. */
export function refusedRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? null : range;
}

/** Checks a destination URL (scheme, shape, every resolved address); returns it normalised. */
export async function checkDestination(raw: string, allowPrivate: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badInput('`url` must be an absolute https:// URL.', { field: 'url' });
  }
  const schemes = allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) throw badInput(allowPrivate ? '`url` must be an http:// or https:// URL.' : '`url` must be an https:// URL.', { field: 'url' });
  if (url.username || url.password) throw badInput('`url` must not carry credentials: the signature authenticates keygate.', { field: 'url' });
  if (raw.length > 2048) throw badInput('`url` is longer than 2048 characters.', { field: 'url' });
  if (allowPrivate) return url;
  const host = hostOf(url);
  const addresses = isIP(host) ? [host] : await resolveAll(host);
  for (const address of addresses) {
    const range = refusedRange(address);
    if (range) throw badInput(`\`url\` resolves to ${address}, a ${range} address: private, loopback and link-local destinations are refused (KEYGATE_WEBHOOK_ALLOW_PRIVATE=true allows them).`, { field: 'url' });
  }
  return url;
}

export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

async function resolveAll(host: string): Promise<string[]> {
  try {
    const found = await lookup(host, { all: true, verbatim: true });
    if (found.length) return found.map((a) => a.address);
  } catch {
    // Reported below like an empty answer.
  }
  throw badInput(`\`url\`: ${host} does not resolve.`, { field: 'url' });
}

/** Why a connection was not made: the destination resolved to a refused address. */
export class RefusedDestination extends Error {
  readonly code = 'EREFUSEDDESTINATION';
}

/**
 * The lookup a delivery's socket uses: resolves like the system does, and fails the connection
 * when any address is refused, so what was checked is what is connected to.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, found) => {
      const addresses = found as unknown as LookupAddress[];
      if (error) return callback(error, '', 0);
      if (!allowPrivate) {
        const bad = addresses.find((a) => refusedRange(a.address));
        if (bad) return callback(new RefusedDestination(`${hostname} resolves to ${bad.address}, a ${refusedRange(bad.address)} address`), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** The check for an IP literal host (no lookup runs for one). */
export function refusedLiteral(url: URL, allowPrivate: boolean): string | null {
  const host = hostOf(url);
  if (allowPrivate || !isIP(host)) return null;
  const range = refusedRange(host);
  return range ? `${host} is a ${range} address` : null;
}
