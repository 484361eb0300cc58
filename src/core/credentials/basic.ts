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
