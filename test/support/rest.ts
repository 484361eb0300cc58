export interface RestResponse {
  status: number;
  body: any;
  raw: string;
  headers: Headers;
}

export interface RestOptions {
  /** `Authorization: Bearer <token>`. */
  token?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (with `contentType`, default JSON). */
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** One REST call the way a vendor's script sends it; the body parsed when it is JSON. */
export async function rest(url: string, method: string, path: string, options: RestOptions = {}): Promise<RestResponse> {
  const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
  let payload: string | undefined;
  if (options.rawBody !== undefined) payload = options.rawBody;
  else if (options.body !== undefined) payload = JSON.stringify(options.body);
  if (payload !== undefined) headers['content-type'] ??= options.contentType ?? 'application/json';
  const response = await fetch(`${url}${path}`, { method, headers, body: payload });
  const raw = await response.text();
  let body: unknown = null;
  try {
    body = raw ? JSON.parse(raw) : null;
  } catch {
    body = raw;
  }
  return { status: response.status, body, raw, headers: response.headers };
}
