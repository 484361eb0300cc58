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
