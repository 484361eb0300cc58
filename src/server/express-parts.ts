import { createRequire } from 'node:module';

/**
 * The libraries Express itself parses and answers with, loaded from Express's own dependency tree
 * (not whichever copy npm hoists for keygate): the direct binding (server/direct-routes.ts) must
 * read a body and spell an answer exactly as the Express binding does, and that holds only when
 * both run the same code.
 */
const fromExpress = createRequire(require.resolve('express'));
const fromBodyParser = createRequire(fromExpress.resolve('body-parser'));

/** body-parser's form parser (`express.urlencoded` calls it with depth 0). */
export const qs = fromBodyParser('qs') as typeof import('qs');
/** `req.is()` in Express. */
export const typeis = fromExpress('type-is') as typeof import('type-is');
const contentType = fromExpress('content-type') as { parse(type: string): { type: string; parameters: Record<string, string> }; format(parsed: object): string };

/** `res.send`'s charset rewrite: the media type with `charset=utf-8`, as Express's `setCharset` writes it. */
export function withUtf8Charset(type: string): string {
  const parsed = contentType.parse(type);
  parsed.parameters.charset = 'utf-8';
  return contentType.format(parsed);
}
