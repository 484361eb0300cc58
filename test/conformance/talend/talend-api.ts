import { checker, isObject, ModelError, type Json } from '../support/model';
import { send, type WireResponse } from '../support/wire';

/**
 * A Talend script as the published reference (Service Accounts API, version 2021-03) describes
 * one: `Authorization: Bearer <personal access token or service-account token>`, an optional
 * `talend-version` header (or `talendVersion` query parameter), JSON bodies; and the reference's
 * schemas, checked on every answer.
 */

const SDK = 'Talend API reference';
const c = checker(SDK);
export const TALEND_VERSION = '2021-03';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function isoDate(value: Json | undefined, path: string): string {
  const text = c.string(value, path);
  if (!ISO.test(text)) throw new ModelError(SDK, path, `not an ISO-8601 date-time: ${text}`);
  return text;
}

/** `ServiceAccount`: `{id, name, permissions, createdDate, lastModifiedDate}`. */
export function serviceAccountSchema(raw: Json, path = 'ServiceAccount') {
  const body = c.object(raw, path);
  return {
    id: c.string(body.id, `${path}.id`),
    name: c.string(body.name, `${path}.name`),
    permissions: c.list(body.permissions, `${path}.permissions`).map((p, i) => c.string(p, `${path}.permissions[${i}]`)),
    createdDate: isoDate(body.createdDate, `${path}.createdDate`),
    lastModifiedDate: isoDate(body.lastModifiedDate, `${path}.lastModifiedDate`),
  };
}

/** The create answer: the service account and its `secret`, this once. */
export function createdServiceAccountSchema(raw: Json) {
  return { ...serviceAccountSchema(raw, 'ServiceAccountCreated'), secret: c.string(c.object(raw, 'ServiceAccountCreated').secret, 'ServiceAccountCreated.secret') };
}

/** A grantable permission: `{id, name}`. */
export function permissionSchema(raw: Json, path = 'Permission') {
  const body = c.object(raw, path);
  return { id: c.string(body.id, `${path}.id`), name: c.string(body.name, `${path}.name`) };
}

/** The count answer: `{count}` with a whole number. */
export function countSchema(raw: Json) {
  const body = c.object(raw, 'Count');
  if (typeof body.count !== 'number' || !Number.isInteger(body.count) || body.count < 0) throw new ModelError(SDK, 'Count.count', `not a count: ${JSON.stringify(body.count)}`);
  return body.count;
}

/** `Error`: a status and a message. */
export function errorSchema(raw: Json, status: number) {
  const body = c.object(raw, 'Error');
  if (body.status !== status) throw new ModelError(SDK, 'Error.status', `expected ${status}, got ${JSON.stringify(body.status)}`);
  return { status, message: c.string(body.message, 'Error.message') };
}

/** The token answer of `POST /security/oauth/token`. */
export function tokenSchema(raw: Json) {
  const body = c.object(raw, 'Token');
  if (body.token_type !== 'Bearer') throw new ModelError(SDK, 'Token.token_type', `expected Bearer, got ${JSON.stringify(body.token_type)}`);
  if (typeof body.expires_in !== 'number') throw new ModelError(SDK, 'Token.expires_in', 'not a number');
  return { accessToken: c.string(body.access_token, 'Token.access_token'), expiresIn: body.expires_in };
}

export interface TalendCall {
  status: number;
  body: Json;
  response: WireResponse;
}

/** One Talend API call: the script's headers, `talend-version` unless told otherwise. */
export async function talend(base: string, method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string>; version?: string | null } = {}): Promise<TalendCall> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': 'python-requests/2.32.3',
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...(options.version === null ? {} : { 'talend-version': options.version ?? TALEND_VERSION }),
    ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...options.headers,
  };
  const response = await send(base, method, path, headers, options.body === undefined ? undefined : JSON.stringify(options.body));
  return { status: response.status, body: (response.json ?? null) as Json, response };
}

export const isJsonObject = isObject;
