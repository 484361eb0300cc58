import { randomUUID } from 'node:crypto';
import { goQuery, javaQuery, pythonJson, pythonQuery, send, type WireResponse } from '../support/wire';

/**
 * The requests Atlan's SDKs send for API tokens and the current user, byte for byte where it
 * matters: path, query string as each language builds it, headers, JSON body. Read from pyatlan
 * (`client/token.py`, `client/common/token.py`, `client/common/user.py`, `client/atlan.py`,
 * `cache/role_cache.py`), atlan-java (`api/ApiTokensEndpoint.java`) and atlan-go
 * (`assets/token_client.go`, `assets/client.go`).
 */

const APIKEYS = '/api/service/apikeys';

/** Raises like the SDK does on a status other than the endpoint's expected 200. */
export class SdkCallError extends Error {
  constructor(readonly response: WireResponse) {
    super(`HTTP ${response.status}: ${response.text.slice(0, 300)}`);
    this.name = 'SdkCallError';
  }
}

function expect200(response: WireResponse): WireResponse {
  if (response.status !== 200) throw new SdkCallError(response);
  return response;
}

/** pyatlan's `AtlanClient(base_url, api_key)`: httpx session headers plus `_create_params`. */
export class PyAtlan {
  constructor(
    readonly base: string,
    readonly apiKey: string,
  ) {}

  private headers(): Record<string, string> {
    return {
      'x-atlan-agent': 'sdk',
      'x-atlan-agent-id': 'python',
      'x-atlan-client-origin': 'product_sdk',
      'x-atlan-python-version': '3.12.7',
      'x-atlan-client-type': 'sync',
      'user-agent': 'Atlan-PythonSDK/9.10.3',
      authorization: `Bearer ${this.apiKey}`,
      accept: 'application/json',
      'content-type': 'application/json',
      'x-atlan-request-id': randomUUID(),
    };
  }

  /** `_call_api(api, query_params, request_obj)`; the body is `AtlanRequest(...).json()` (json.dumps). */
  async call(method: string, path: string, query?: Record<string, string>, body?: unknown): Promise<unknown> {
    const url = query ? `${path}?${pythonQuery(query)}` : path;
    const response = expect200(await send(this.base, method, url, this.headers(), body === undefined ? undefined : pythonJson(body)));
    // An empty body (or 204) is None; otherwise JSON.
    return response.text.length === 0 ? null : response.json;
  }

  /** `TokenClient.get(limit=None, post_filter=None, sort=None, count=True, offset=0)`. */
  tokenGet(options: { limit?: number; postFilter?: string; sort?: string; count?: boolean; offset?: number } = {}) {
    const query: Record<string, string> = { count: options.count === false ? 'False' : 'True', offset: String(options.offset ?? 0) };
    if (options.limit !== undefined) query.limit = String(options.limit);
    if (options.postFilter !== undefined) query.filter = options.postFilter;
    if (options.sort !== undefined) query.sort = options.sort;
    return this.call('GET', APIKEYS, query);
  }

  /** `get_by_name`: the filter built with an f-string (no JSON escaping). */
  tokenGetByName(displayName: string) {
    return this.call('GET', APIKEYS, { count: 'True', offset: '0', limit: '5', filter: `{"displayName":"${displayName}"}` });
  }

  /** `get_by_id`: a `service-account-` prefix is stripped first. */
  tokenGetById(clientId: string) {
    const id = clientId.startsWith('service-account-') ? clientId.slice('service-account-'.length) : clientId;
    return this.call('GET', APIKEYS, { count: 'True', offset: '0', limit: '5', filter: `{"clientId":"${id}"}` });
  }

  tokenGetByGuid(guid: string) {
    return this.call('GET', APIKEYS, { count: 'True', offset: '0', limit: '5', filter: `{"id":"${guid}"}`, sort: 'createdAt' });
  }

  /**
   * `create(display_name, description="", personas=None, validity_seconds=-1)`: `ApiTokenRequest`
   * serialized by alias with exclude_unset; its validator turns a negative validity into 157680000
   * and caps larger ones there. `personas` is never set, so it is not in the body.
   */
  tokenCreate(displayName: string, options: { description?: string; personas?: string[]; validitySeconds?: number } = {}) {
    const requested = options.validitySeconds ?? -1;
    const validitySeconds = requested < 0 ? 157680000 : requested === 0 ? 0 : Math.min(requested, 157680000);
    return this.call('POST', APIKEYS, undefined, {
      displayName,
      description: options.description ?? '',
      personaQualifiedNames: [...new Set(options.personas ?? [])],
      ...(requested === 0 ? { validitySeconds: 0 } : { validitySeconds }),
    });
  }

  /** `update(guid, display_name, description="", personas=None)`: the complete persona set, no validity. */
  tokenUpdate(guid: string, displayName: string, options: { description?: string; personas?: string[] } = {}) {
    return this.call('POST', `${APIKEYS}/${guid}`, undefined, {
      displayName,
      description: options.description ?? '',
      personaQualifiedNames: [...new Set(options.personas ?? [])],
    });
  }

  tokenPurge(guid: string) {
    return this.call('DELETE', `${APIKEYS}/${guid}`);
  }

  /** `UserClient.get_current()`: GET_CURRENT_USER, `users/current` under Heracles. */
  userGetCurrent() {
    return this.call('GET', '/api/service/users/current');
  }

  /** `RoleCache.is_api_token_user()`: GET_WHOAMI_USER. */
  whoami() {
    return this.call('GET', '/api/service/whoami');
  }
}

/** atlan-java's `ApiTokensEndpoint` over its HTTP client (Jackson bodies, no spaces). */
export class JavaAtlan {
  constructor(
    readonly base: string,
    readonly apiKey: string,
  ) {}

  private async call(method: string, pathAndQuery: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiKey}`, accept: 'application/json', 'user-agent': 'Atlan-Java/1.x' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = expect200(await send(this.base, method, pathAndQuery, headers, body === undefined ? undefined : JSON.stringify(body)));
    return response.text.length === 0 ? null : response.json;
  }

  /** `list(filter, sort, offset, limit)`: `?limit=&offset=[&sort=][&filter=]`, the filter's JSON raw; no count. */
  list(filter: string | null, sort: string | null, offset: number, limit: number) {
    const pairs: [string, string | number][] = [['limit', limit], ['offset', offset]];
    if (sort !== null) pairs.push(['sort', sort]);
    if (filter !== null) pairs.push(['filter', filter]);
    return this.call('GET', `${APIKEYS}?${javaQuery(pairs)}`);
  }

  /** `get(displayName)`, `getById(clientId)`, `getByGuid(guid)`: a filter, `-createdAt`, first two. */
  getBy(field: 'displayName' | 'clientId' | 'id', value: string) {
    const v = field === 'clientId' && value.startsWith('service-account-') ? value.slice('service-account-'.length) : value;
    return this.list(`{"${field}":"${v}"}`, '-createdAt', 0, 2);
  }

  /** `create(displayName, description, personas, validitySeconds)`: `personas` is always `[]`. */
  create(displayName: string, description: string | null, personas: string[] | null, validitySeconds: number | null) {
    const validity = validitySeconds === null ? undefined : validitySeconds < 0 ? 157680000 : Math.min(validitySeconds, 157680000);
    return this.call('POST', APIKEYS, {
      displayName,
      description: description ?? '',
      personas: [],
      personaQualifiedNames: personas ?? [],
      ...(validity === undefined ? {} : { validitySeconds: validity }),
    });
  }

  update(guid: string, displayName: string, description: string | null, personas: string[] | null) {
    return this.call('POST', `${APIKEYS}/${guid}`, { displayName, description: description ?? '', personas: [], personaQualifiedNames: personas ?? [] });
  }

  purge(guid: string) {
    return this.call('DELETE', `${APIKEYS}/${guid}`);
  }
}

/** atlan-go's `TokenClient` over `CallAPI` (`url.Values.Encode`, `json.Marshal` with omitempty). */
export class GoAtlan {
  constructor(
    readonly base: string,
    readonly apiKey: string,
  ) {}

  private async call(method: string, path: string, query?: Record<string, string>, body?: Record<string, unknown>): Promise<unknown> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json', 'user-agent': 'Atlan-GOSDK/0.1.0', 'x-atlan-agent': 'sdk', 'x-atlan-agent-id': 'go' };
    const url = query && Object.keys(query).length ? `${path}?${goQuery(query)}` : path;
    const response = expect200(await send(this.base, method, url, headers, body === undefined ? undefined : JSON.stringify(body)));
    return response.text.length === 0 ? null : response.json;
  }

  /** `Get(limit, postFilter, sort, count, offset)`: `count` as Go's `%v` prints a bool. */
  get(limit: number | null, postFilter: string | null, sort: string | null, count: boolean, offset: number) {
    const query: Record<string, string> = { count: String(count), offset: String(offset) };
    if (limit !== null) query.limit = String(limit);
    if (postFilter !== null) query.filter = postFilter;
    if (sort !== null) query.sort = sort;
    return this.call('GET', APIKEYS, query);
  }

  getByName(displayName: string) {
    return this.get(null, `{"displayName":"${displayName}"}`, null, true, 0);
  }

  getByGuid(guid: string) {
    return this.get(null, `{"id":"${guid}"}`, 'createdAt', true, 0);
  }

  /**
   * `Create(displayName, description, personas, validitySeconds)`: description defaults to `" "`;
   * with omitempty an empty description, empty persona lists and a nil validity are left out.
   */
  create(displayName: string, description: string | null, personas: string[] | null, validitySeconds: number | null) {
    return this.call('POST', APIKEYS, undefined, omitEmpty({ displayName, description: description ?? ' ', personas: [], personaQualifiedNames: personas, validitySeconds }));
  }

  /** `Update(guid, displayName, description, personas)`: a nil description is left out of the body. */
  update(guid: string, displayName: string, description: string | null, personas: string[] | null) {
    return this.call('POST', `${APIKEYS}/${guid}`, undefined, omitEmpty({ displayName, description: description ?? '', personaQualifiedNames: personas }));
  }

  purge(guid: string) {
    return this.call('DELETE', `${APIKEYS}/${guid}`);
  }
}

/** `json:",omitempty"`: nil, "", empty slices and zero numbers are left out. */
function omitEmpty(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => !(v === null || v === undefined || v === '' || v === 0 || (Array.isArray(v) && v.length === 0))));
}
