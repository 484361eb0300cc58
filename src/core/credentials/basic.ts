import { badInput } from '../errors';
/** Client credentials from `Authorization: Basic …`. */
export interface BasicCredentials {
  id: string;
  secret: string;
}

/**
 * The one HTTP Basic parser for every token endpoint. RFC 6749 §2.3.1: the client id and secret
 * are form-urlencoded before base64, so `%xx` and `+` are decoded; ids and secrets made only of
 * unreserved characters read the same either way. Null for another scheme or a malformed value.
 */
export function parseBasic(header: string | undefined): BasicCredentials | null {
  const match = header ? /^Basic[ ]+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header) : null;
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  try {
    const unescape = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

/**
 * A token endpoint's client credentials (RFC 6749 §2.3.1): HTTP Basic, or `client_id` +
 * `client_secret` in the body (`client_secret_post`); never both. A `client_id` in the body next to
 * Basic must name the same client (§3.2.1). Null when the request carries none; another scheme or a
 * malformed Basic header is credentials that fail (401 `invalid_client`).
 */
export function clientCredentials(authorization: string | undefined, body: Record<string, unknown>): BasicCredentials | null {
  const bodyId = typeof body.client_id === 'string' && body.client_id !== '' ? body.client_id : undefined;
  const bodySecret = typeof body.client_secret === 'string' && body.client_secret !== '' ? body.client_secret : undefined;
  if (authorization !== undefined) {
    if (bodySecret !== undefined) throw badInput('Authenticate the client one way only: HTTP Basic or client_secret in the body, not both.');
    const basic = parseBasic(authorization);
    if (basic && bodyId !== undefined && bodyId !== basic.id) throw badInput('The client_id in the body does not match the HTTP Basic credentials.');
    return basic ?? { id: '', secret: '' };
  }
  if (bodyId === undefined && bodySecret === undefined) return null;
  return { id: bodyId ?? '', secret: bodySecret ?? '' };
}
