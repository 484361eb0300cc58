import { allieTimestamp, checker, isObject, ModelError, type Json } from '../support/model';
import { pythonJson, pythonQuery, quotePlus, send, type WireResponse } from '../support/wire';

/**
 * Alation's Allie SDK as it talks to a server: `core/request_handler.py` (requests, JSON bodies as
 * `json.dumps`, `Token` header, `limit=1000` on every GET and `X-Next-Page` paging),
 * `methods/authentication.py`, `methods/user.py`; and its models (`models/authentication_model.py`,
 * `models/user_model.py`): dataclasses built by `from_api_response` (unknown keys dropped, no type
 * checks) whose `__post_init__` parses timestamps with two `strptime` patterns and silently keeps
 * None when neither matches.
 */

const SDK = 'Allie SDK';
const c = checker(SDK);
const PAGE_SIZE = 1000;
const SUCCESS = [200, 201, 202, 204];

export class AllieHttpError extends Error {
  constructor(readonly response: WireResponse) {
    super(`HTTP ${response.status}: ${response.text.slice(0, 300)}`);
    this.name = 'AllieHttpError';
  }
}

/** `BaseClass.from_api_response(cls, body)`: `body.items()`, so the body must be a dict. */
function fromApiResponse(value: unknown, model: string): Record<string, Json> {
  if (!isObject(value)) throw new ModelError(SDK, model, `'${Array.isArray(value) ? 'list' : typeof value}' object has no attribute 'items'`);
  return value;
}

/** A timestamp field: a string both patterns miss becomes None, which the caller would not see coming. */
function timestamp(value: Json | undefined, path: string, nullable: boolean): Date | null {
  if (value === undefined || value === null) {
    if (!nullable) throw new ModelError(SDK, path, 'missing (None)');
    return null;
  }
  const parsed = allieTimestamp(c.string(value, path));
  if (!parsed) throw new ModelError(SDK, path, `convert_timestamp gives None for ${JSON.stringify(value)}`);
  return parsed;
}

export function refreshTokenModel(raw: unknown) {
  const body = fromApiResponse(raw, 'RefreshToken');
  return {
    refreshToken: body.refresh_token as string | undefined,
    userId: body.user_id as number,
    createdAt: timestamp(body.created_at, 'RefreshToken.created_at', false),
    name: body.name as string,
    tokenExpiresAt: timestamp(body.token_expires_at, 'RefreshToken.token_expires_at', true),
    tokenStatus: c.string(body.token_status, 'RefreshToken.token_status'),
    lastUsedAt: timestamp(body.last_used_at, 'RefreshToken.last_used_at', true),
  };
}

export function accessTokenModel(raw: unknown) {
  const body = fromApiResponse(raw, 'AccessToken');
  return {
    apiAccessToken: body.api_access_token as string | undefined,
    userId: body.user_id as number,
    createdAt: timestamp(body.created_at, 'AccessToken.created_at', false),
    tokenExpiresAt: timestamp(body.token_expires_at, 'AccessToken.token_expires_at', true),
    tokenStatus: c.string(body.token_status, 'AccessToken.token_status'),
  };
}

export function oauthTokenModel(raw: unknown) {
  const body = fromApiResponse(raw, 'OAuthToken');
  return { accessToken: c.string(body.access_token, 'OAuthToken.access_token'), tokenType: body.token_type as string, expiresIn: body.expires_in as number };
}

/** `User`: the fields Allie keeps; `id` and `profile_id` are ints in the model's annotations. */
export function userModel(raw: unknown, path = 'User') {
  const body = fromApiResponse(raw, path);
  if (typeof body.id !== 'number' || !Number.isInteger(body.id)) throw new ModelError(SDK, `${path}.id`, `expected an int, got ${JSON.stringify(body.id)}`);
  if (body.profile_id !== undefined && body.profile_id !== null && (typeof body.profile_id !== 'number' || !Number.isInteger(body.profile_id)))
    throw new ModelError(SDK, `${path}.profile_id`, `expected an int, got ${JSON.stringify(body.profile_id)}`);
  return {
    id: body.id,
    username: body.username as string | undefined,
    email: body.email as string | undefined,
    displayName: body.display_name as string | undefined,
    firstName: body.first_name as string | undefined,
    lastName: body.last_name as string | undefined,
    role: body.role as string | undefined,
    title: body.title as string | undefined,
    profileId: body.profile_id as number | undefined,
    url: body.url as string | undefined,
    lastLogin: body.last_login === undefined ? undefined : timestamp(body.last_login, `${path}.last_login`, true),
    tsCreated: body.ts_created === undefined ? undefined : timestamp(body.ts_created, `${path}.ts_created`, false),
  };
}

/** `UserParams`: each a set; only non-empty ones are sent, in the dataclass's field order. */
export interface UserParams {
  id?: number[];
  profile_id?: number[];
  display_name?: string[];
  display_name__contains?: string[];
  display_name__icontains?: string[];
  email?: string[];
  email__contains?: string[];
  email__icontains?: string[];
}
const USER_PARAM_ORDER: (keyof UserParams)[] = ['id', 'profile_id', 'display_name', 'display_name__contains', 'display_name__icontains', 'email', 'email__contains', 'email__icontains'];

/** One `requests.Session` shared by the SDK's method classes. */
export class Allie {
  /** Every request line sent, for the suites to look at. */
  readonly sent: string[] = [];

  constructor(readonly host: string) {}

  private headers(accessToken?: string): Record<string, string> {
    return {
      'user-agent': 'python-requests/2.32.3',
      accept: '*/*',
      'content-type': 'application/json; charset=utf-8',
      ...(accessToken ? { token: accessToken } : {}),
    };
  }

  private async request(method: string, pathAndQuery: string, headers: Record<string, string>, body?: string) {
    this.sent.push(`${method} ${pathAndQuery}`);
    return send(this.host, method, pathAndQuery, headers, body);
  }

  /** `RequestHandler.post(url, body)`: json.dumps, raise_for_status on anything but 2xx. */
  async post(path: string, body: Record<string, unknown>, accessToken?: string): Promise<Json> {
    const response = await this.request('POST', path, this.headers(accessToken), pythonJson(body));
    if (!SUCCESS.includes(response.status)) throw new AllieHttpError(response);
    return response.json as Json;
  }

  /** `RequestHandler.get(url, query_params)`: adds `limit=1000`, then follows `X-Next-Page` (a path on the host). */
  async get(path: string, accessToken: string, params: Record<string, string | number | (string | number)[]> = {}): Promise<Json> {
    const query = pythonQuery({ ...params, limit: PAGE_SIZE });
    let response = await this.request('GET', `${path}?${query}`, this.headers(accessToken));
    if (!SUCCESS.includes(response.status)) throw new AllieHttpError(response);
    const items = response.json as Json;
    let pages = 0;
    while (typeof response.headers['x-next-page'] === 'string') {
      if (++pages > 100) throw new Error('X-Next-Page never ends');
      response = await this.request('GET', response.headers['x-next-page'], this.headers(accessToken));
      if (!SUCCESS.includes(response.status)) throw new AllieHttpError(response);
      (items as Json[]).push(...(c.list(response.json, 'next page') as Json[]));
    }
    return items;
  }

  // ---- AlationAuthentication -----------------------------------------------------------------------

  /** `validate_refresh_token()`: a body with `status: "failed"` is an error too. */
  async validateRefreshToken(refreshToken: string, userId: number) {
    const validity = await this.post('/integration/v1/validateRefreshToken/', { refresh_token: refreshToken, user_id: userId });
    if (isObject(validity) && validity.status === 'failed') throw new ModelError(SDK, 'validateRefreshToken', 'status failed');
    return refreshTokenModel(validity);
  }

  /** `create_access_token()`: validates first, refuses a non-ACTIVE refresh token itself. */
  async createAccessToken(refreshToken: string, userId: number) {
    const validation = await this.validateRefreshToken(refreshToken, userId);
    if (validation.tokenStatus.toUpperCase() !== 'ACTIVE') throw new ModelError(SDK, 'create_access_token', 'The Refresh Token is expired!');
    const token = await this.post('/integration/v1/createAPIAccessToken/', { refresh_token: refreshToken, user_id: userId });
    if (isObject(token) && token.status === 'failed') throw new ModelError(SDK, 'createAPIAccessToken', 'status failed');
    return accessTokenModel(token);
  }

  async validateAccessToken(accessToken: string, userId: number) {
    return accessTokenModel(await this.post('/integration/v1/validateAPIAccessToken/', { api_access_token: accessToken, user_id: userId }));
  }

  async revokeAccessTokens(refreshToken: string, userId: number) {
    const response = await this.post('/integration/v1/revokeAPIAccessTokens/', { refresh_token: refreshToken, user_id: userId });
    if (isObject(response) && response.status === 'failed') throw new ModelError(SDK, 'revokeAPIAccessTokens', 'status failed');
    return response;
  }

  /**
   * `create_oauth_token(use_basic_auth)`: a form body to `/oauth/v2/token` (no trailing slash);
   * requests' `HTTPBasicAuth` base64-encodes `id:secret` as is, without form-encoding them.
   */
  async createOAuthToken(clientId: string, clientSecret: string, useBasicAuth: boolean) {
    const headers: Record<string, string> = { 'user-agent': 'python-requests/2.32.3', accept: '*/*', 'content-type': 'application/x-www-form-urlencoded' };
    let body: string;
    if (useBasicAuth) {
      headers.authorization = `Basic ${Buffer.from(`${clientId}:${clientSecret}`, 'latin1').toString('base64')}`;
      body = `grant_type=${quotePlus('client_credentials')}`;
    } else {
      body = pythonQuery({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    }
    const response = await this.request('POST', '/oauth/v2/token', headers, body);
    if (!SUCCESS.includes(response.status)) throw new AllieHttpError(response);
    if (isObject(response.json) && 'error' in response.json) throw new ModelError(SDK, 'create_oauth_token', String(response.json.error));
    return oauthTokenModel(response.json);
  }

  // ---- AlationUser ---------------------------------------------------------------------------------

  async getAuthenticatedUser(accessToken: string) {
    return userModel(await this.get('/integration/v1/userinfo/', accessToken));
  }

  /** `get_users(UserParams)` on `/integration/v2/user/` (the default) or `/integration/v1/user/`. */
  async getUsers(accessToken: string, params: UserParams = {}, version: 'v1' | 'v2' = 'v2') {
    const query: Record<string, (string | number)[]> = {};
    for (const key of USER_PARAM_ORDER) if (params[key]?.length) query[key] = params[key]!;
    const users = await this.get(`/integration/${version}/user/`, accessToken, query);
    return c.list(users, 'users').map((u, i) => userModel(u, `User[${i}]`));
  }

  async getAUser(accessToken: string, userId: number, version: 'v1' | 'v2' = 'v2') {
    return userModel(await this.get(`/integration/${version}/user/${userId}/`, accessToken));
  }
}
