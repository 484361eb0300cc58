import { request as httpRequest } from 'node:http';

/**
 * How each SDK's HTTP stack puts a request on the wire, so the suites send exactly that: query
 * strings as Python (`urllib.parse.urlencode`, used by requests and httpx), Go (`url.Values.Encode`)
 * and Java (string formatting, then the client's URL canonicalization) build them, and bodies as
 * Python's `json.dumps` and Go's `json.Marshal` / Jackson write them.
 */

/** `urllib.parse.quote_plus`: unreserved `A-Za-z0-9_.-~` kept, space as `+`, the rest %XX (UTF-8). */
export function quotePlus(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * `urllib.parse.urlencode(params, doseq=True)`: pairs in the dict's insertion order; a list, tuple or
 * set value becomes one pair per element (requests does the same for its `params`).
 */
export function pythonQuery(params: Record<string, string | number | boolean | (string | number)[]>): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) pairs.push(`${quotePlus(key)}=${quotePlus(pythonStr(v))}`);
  }
  return pairs.join('&');
}

/** Python's `str()` of a query value: booleans are `True` / `False`. */
export function pythonStr(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/** Go's `url.Values.Encode()`: keys sorted, `url.QueryEscape` (the same escaping as `quote_plus`). */
export function goQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .sort()
    .map((key) => `${quotePlus(key)}=${quotePlus(params[key])}`)
    .join('&');
}

/**
 * Java's `String.format("%s?limit=%s&offset=%s&sort=%s&filter=%s", …)` with the filter's JSON as is;
 * the HTTP client then percent-encodes what may not stand in a query (`"`, space, `<`, `>`, `#`,
 * `'`) and leaves braces and colons raw.
 */
export function javaQuery(pairs: [string, string | number][]): string {
  return pairs.map(([key, value]) => `${key}=${String(value).replace(/[ "'<>#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`).join('&');
}

/** Python's `json.dumps` with its default separators (`", "` and `": "`), keys in the given order. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`).join(', ')}}`;
  // json.dumps escapes every non-ASCII character.
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: any;
}

/**
 * One request with the path and query exactly as given (no URL normalization on the way out, as
 * `fetch` would do), with the SDK's headers and body.
 */
export function send(base: string, method: string, pathAndQuery: string, headers: Record<string, string> = {}, body?: string): Promise<WireResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path: pathAndQuery, headers: { ...headers, ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
