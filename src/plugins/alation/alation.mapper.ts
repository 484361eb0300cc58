import { badInput, type TokenStatus } from '../../core';
import type { AccessTokenEntity, PrincipalEntity, RefreshTokenEntity } from '../../entities';
import type { ErrorShape } from '../route-kit';
import { alationError } from './alation.shapes';

/** ISO-8601 UTC with microseconds and `Z`, as Alation writes them: `2022-11-15T21:52:48.116496Z`. */
export function vendorTime(date: Date | null): string | null {
  return date ? date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') : null;
}

type Status = (token: { expiresAt: Date | null; revokedAt: Date | null }) => TokenStatus;

export function refreshBody(token: RefreshTokenEntity, owner: PrincipalEntity, status: Status) {
  return {
    user_id: Number(owner.number),
    created_at: vendorTime(token.createdAt),
    name: token.name,
    token_expires_at: vendorTime(token.expiresAt),
    token_status: status(token),
    last_used_at: vendorTime(token.lastUsedAt),
  };
}

export function accessBody(token: AccessTokenEntity, owner: PrincipalEntity, status: Status) {
  return {
    user_id: Number(owner.number),
    created_at: vendorTime(token.createdAt),
    token_expires_at: vendorTime(token.expiresAt),
    token_status: status(token),
  };
}

type FieldKind = 'string' | 'password' | 'secret' | 'userId' | 'userId?';

/** Reads and checks a body; every problem at once, as a 400 `Invalid Payload`. */
export function readBody(body: Record<string, unknown>, spec: Record<string, FieldKind>): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {};
  const errors: { field: string; message: string }[] = [];
  for (const [field, kind] of Object.entries(spec)) {
    const value = body[field];
    if (value === undefined || value === null || value === '') {
      if (kind !== 'userId?') errors.push({ field, message: 'This field is required.' });
      continue;
    }
    if (kind === 'userId' || kind === 'userId?') {
      const id = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(id) || id < 1) errors.push({ field, message: 'A valid integer is required.' });
      else out[field] = id;
      continue;
    }
    const max = kind === 'secret' ? 4096 : kind === 'password' ? 1024 : 255;
    if (typeof value !== 'string') errors.push({ field, message: 'Not a valid string.' });
    else if (kind !== 'password' && value.trim() === '') errors.push({ field, message: 'This field may not be blank.' });
    else if (value.length > max) errors.push({ field, message: `Ensure this field has no more than ${max} characters.` });
    else out[field] = kind === 'password' ? value : value.trim();
  }
  if (errors.length) throw badInput(errors.map((e) => `${e.field}: ${e.message}`).join(' '), { errors });
  return out;
}

/** `{"detail", "code"}` for every failure; 400s also carry `title` and `errors`. Never a stack trace. */
export const alationErrors: ErrorShape = {
  schema: alationError,
  render({ status, code, message, details }) {
    if (code === 'INTERNAL') return { body: { detail: 'Internal server error.', code: '500000' } };
    if (code === 'BAD_REQUEST') return { body: { title: 'Invalid Payload', detail: message, errors: [], code: '400000' } };
    if (code !== 'BAD_USER_INPUT') return { body: { detail: message, code: `${status}000` } };
    const errors = Array.isArray(details.errors) ? details.errors : [{ field: (details.field as string | undefined) ?? null, message }];
    return { body: { title: 'Invalid Payload', detail: message, errors, code: '400000' } };
  },
};

/**
 * A user as `/integration/v2/user/` writes it (`allie_sdk/models/user_model.py`); v1 leaves out
 * `last_login` and `ts_created`. `id` and `profile_id` are the user's number; the first and last
 * names are the display name split at its first space.
 */
export function userBody(user: PrincipalEntity, version: 'v1' | 'v2') {
  const id = Number(user.number);
  const displayName = user.displayName ?? user.name;
  const space = displayName.indexOf(' ');
  const body = {
    id,
    username: user.name,
    email: user.email ?? '',
    display_name: displayName,
    first_name: space < 0 ? displayName : displayName.slice(0, space),
    last_name: space < 0 ? '' : displayName.slice(space + 1),
    role: user.role,
    title: user.title ?? '',
    profile_id: id,
    url: `/user/${id}/`,
  };
  return version === 'v1' ? body : { ...body, last_login: vendorTime(user.lastUsedAt), ts_created: vendorTime(user.createdAt) };
}

/** The user list's filters, as Allie's `UserParams` sends them (each may repeat); `limit` and `skip` page. */
const USER_FILTERS = {
  id: (u: PrincipalEntity, v: string) => String(Number(u.number)) === v,
  profile_id: (u: PrincipalEntity, v: string) => String(Number(u.number)) === v,
  display_name: (u: PrincipalEntity, v: string) => (u.displayName ?? u.name) === v,
  display_name__contains: (u: PrincipalEntity, v: string) => (u.displayName ?? u.name).includes(v),
  display_name__icontains: (u: PrincipalEntity, v: string) => (u.displayName ?? u.name).toLowerCase().includes(v.toLowerCase()),
  email: (u: PrincipalEntity, v: string) => (u.email ?? '') === v,
  email__contains: (u: PrincipalEntity, v: string) => (u.email ?? '').includes(v),
  email__icontains: (u: PrincipalEntity, v: string) => (u.email ?? '').toLowerCase().includes(v.toLowerCase()),
} as const;
export const MAX_USER_PAGE = 1000;

export interface UserQuery {
  /** A user matches when, for every filter given, it matches one of the filter's values. */
  matches(user: PrincipalEntity): boolean;
  limit: number;
  skip: number;
  /** The query string of the page after this one (filters kept), for `X-Next-Page`. */
  next(): string;
}

export function parseUserQuery(query: Record<string, unknown>): UserQuery {
  const values = (name: string): string[] => {
    const value = query[name];
    if (value === undefined) return [];
    const list = Array.isArray(value) ? value : [value];
    if (list.some((v) => typeof v !== 'string')) throw badInput(`${name} must be a plain value (it may repeat).`, { field: name });
    return list as string[];
  };
  const unknown = Object.keys(query).filter((name) => !(name in USER_FILTERS) && name !== 'limit' && name !== 'skip');
  if (unknown.length) throw badInput(`Unknown parameter(s): ${unknown.join(', ')}. Filter on ${Object.keys(USER_FILTERS).join(', ')}; page with limit and skip.`, { field: unknown[0] });
  const whole = (name: string, fallback: number, max: number) => {
    const [raw, ...more] = values(name);
    if (more.length) throw badInput(`Give ${name} once.`, { field: name });
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d{1,10}$/.test(raw) || Number(raw) > max) throw badInput(`${name} must be a whole number from 0 to ${max}.`, { field: name });
    return Number(raw);
  };
  const limit = whole('limit', 100, MAX_USER_PAGE);
  const skip = whole('skip', 0, 1_000_000_000);
  for (const name of ['id', 'profile_id'])
    if (values(name).some((v) => !/^\d{1,15}$/.test(v))) throw badInput(`${name} must be a user id (a whole number).`, { field: name });
  const given = (Object.keys(USER_FILTERS) as (keyof typeof USER_FILTERS)[]).map((name) => [name, values(name)] as const).filter(([, list]) => list.length > 0);
  return {
    limit,
    skip,
    matches: (user) => given.every(([name, list]) => list.some((v) => USER_FILTERS[name](user, name === 'id' || name === 'profile_id' ? String(Number(v)) : v))),
    next: () => {
      const params = new URLSearchParams();
      for (const [name, list] of given) for (const v of list) params.append(name, v);
      params.set('limit', String(limit));
      params.set('skip', String(skip + limit));
      return params.toString();
    },
  };
}
