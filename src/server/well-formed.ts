import { isUtf8 } from 'node:buffer';
import { badInput, type GatewayError } from '../core';

/**
 * Text keygate cannot store as sent: a NUL (PostgreSQL's text refuses it) or a lone UTF-16
 * surrogate (no UTF-8 encodes it; the driver would store U+FFFD instead). Refused at the edge,
 * before any act runs, so that bad input is a 400 and never reaches the database as a 500.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const isMalformed = (text: string) => text.includes('\u0000') || LONE_SURROGATE.test(text);

/**
 * The path (`body.displayName`, `params.clientId`, `variables.input.name`) of the first string,
 * object key included, that is not storable text; null when there is none. Walks without
 * recursion: a deeply nested JSON body must not exhaust the stack.
 */
export function malformedTextAt(value: unknown, root: string): string | null {
  const pending: [unknown, string][] = [[value, root]];
  while (pending.length) {
    const [item, path] = pending.pop()!;
    if (typeof item === 'string') {
      if (isMalformed(item)) return path;
    } else if (item && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        if (isMalformed(key)) return path;
        pending.push([child, Array.isArray(item) ? `${path}[${key}]` : `${path}.${key}`]);
      }
    }
  }
  return null;
}

/** The refusal for text found at `path`, naming the field. */
export function malformedText(path: string): GatewayError {
  const field = path.replace(/^(body|params|query)\.?/, '') || path;
  const message = `${field}: text must be valid UTF-8 without NUL characters.`;
  return badInput(message, { field, errors: [{ field, message }] });
}

/** The first of the request's parts (path parameters, query string, body) holding text keygate cannot store. */
export function refuseMalformedRequest(parts: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(parts)) {
    const at = malformedTextAt(value, name);
    if (at) throw malformedText(at);
  }
}

/**
 * body-parser's `verify`: a body that is not UTF-8 is refused rather than read with U+FFFD in
 * place of its bad bytes (which would store something the caller did not send).
 */
export function verifyUtf8(_req: unknown, _res: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw badInput('Request body is not valid UTF-8.', { field: null, errors: [{ field: null, message: 'Request body is not valid UTF-8.' }] });
}
