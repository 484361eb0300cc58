import type { NextFunction, Request, Response, Router } from 'express';
import { badInput, forbidden, GatewayError, isGatewayError, notFound, unauthenticated, type RequestContext } from '../../core';
import type { AccessTokenEntity, RefreshTokenEntity, PrincipalEntity } from '../../entities';
import type { RouteKit } from '../provider';
import type { AlationProvider } from './alation.provider';
import { ALATION_MESSAGES } from './alation.policy';

/**
 * Alation's REST face: the vendor's `/integration/v1/…` token routes with its bodies, status codes,
 * timestamps and errors, plus two keygate routes for what Alation only offers in its UI (listing a
 * user's tokens, revoking all of a user's tokens). Each route calls the same plugin method as the
 * GraphQL face.
 */
export function alationRoutes(router: Router, kit: RouteKit, plugin: AlationProvider): void {
  const { core } = kit;
  const vendor = '/integration/v1';
  const extension = '/keygate/alation';

  const route = (path: string, work: (req: Request) => Promise<[number, object]>) =>
    router.post(path, async (req: Request, res: Response) => {
      try {
        const [status, body] = await work(req);
        res.status(status).json(body);
      } catch (error) {
        const [status, body] = vendorError(error);
        res.status(status).json(body);
      }
    });

  /** The request's origin for the audit log; these routes authenticate from the body, not a header. */
  const anonymous = (req: Request): RequestContext => ({ actor: null, origin: `rest ${req.ip ?? req.socket.remoteAddress ?? 'unknown'}` });

  /** `refresh_token` + `user_id`: the token, its owner, and a context acting as that owner. */
  const byRefreshToken = async (req: Request) => {
    const body = readBody(req, { refresh_token: 'secret', user_id: 'userId' });
    const { token, owner } = await plugin.authenticateRefreshToken(body.refresh_token as string, body.user_id as number);
    const ctx: RequestContext = { actor: await plugin.actorOf(owner, token), origin: anonymous(req).origin };
    return { token, owner, ctx };
  };

  const requireActive = (token: RefreshTokenEntity) => {
    if (core.tokens.status(token) !== 'ACTIVE') throw new GatewayError('UNAUTHENTICATED', ALATION_MESSAGES.refreshExpired);
  };

  const ownerOf = async (ownerId: string) => {
    const owner = await core.principals.find(ownerId);
    if (!owner) throw notFound('User');
    return owner;
  };

  const refreshBody = (token: RefreshTokenEntity, owner: PrincipalEntity) => ({
    user_id: Number(owner.number),
    created_at: vendorTime(token.createdAt),
    name: token.name,
    token_expires_at: vendorTime(token.expiresAt),
    token_status: core.tokens.status(token),
    last_used_at: vendorTime(token.lastUsedAt),
  });

  const accessBody = (token: AccessTokenEntity, owner: PrincipalEntity) => ({
    user_id: Number(owner.number),
    created_at: vendorTime(token.createdAt),
    token_expires_at: vendorTime(token.expiresAt),
    token_status: core.tokens.status(token),
  });

  route(`${vendor}/createRefreshToken`, async (req) => {
    const body = readBody(req, { username: 'string', password: 'password', name: 'string' });
    const issued = await plugin.createRefreshToken(anonymous(req), {
      username: body.username as string,
      password: body.password as string,
      name: body.name as string,
    });
    return [201, { refresh_token: issued.secret, ...refreshBody(issued.record, await ownerOf(issued.record.ownerId)) }];
  });

  route(`${vendor}/regenRefreshToken`, async (req) => {
    const { token, owner, ctx } = await byRefreshToken(req);
    const issued = await plugin.regenerateRefreshToken(ctx, token.id);
    return [201, { refresh_token: issued.secret, ...refreshBody(issued.record, owner) }];
  });

  route(`${vendor}/createAPIAccessToken`, async (req) => {
    const { token, owner, ctx } = await byRefreshToken(req);
    requireActive(token);
    const issued = await plugin.createAccessToken(ctx, { refreshTokenId: token.id });
    return [201, { api_access_token: issued.secret, ...accessBody(issued.record, owner) }];
  });

  route(`${vendor}/validateRefreshToken`, async (req) => {
    const { token, owner } = await byRefreshToken(req);
    return [200, refreshBody(token, owner)];
  });

  route(`${vendor}/validateAPIAccessToken`, async (req) => {
    const body = readBody(req, { api_access_token: 'secret', user_id: 'userId' });
    const { token, owner } = await plugin.authenticateAccessToken(body.api_access_token as string, body.user_id as number);
    return [200, { ...accessBody(token, owner), last_used_at: vendorTime(token.lastUsedAt) }];
  });

  route(`${vendor}/revokeAPIAccessTokens`, async (req) => {
    const { token, ctx } = await byRefreshToken(req);
    await plugin.revokeAccessTokensOf(ctx, token);
    return [200, { detail: `Revoked active access tokens for refresh token "${token.name}".` }];
  });

  /** keygate's routes take the caller's API access token in `TOKEN` (or `Authorization: Bearer`). */
  const signedIn = async (req: Request, optionalUser: boolean) => {
    const ctx = await kit.context(req);
    if (!ctx.actor) throw unauthenticated();
    const body = readBody(req, { user_id: optionalUser ? 'userId?' : 'userId' });
    let user: PrincipalEntity | null;
    if (body.user_id !== undefined) user = await plugin.findUser(body.user_id);
    else if (ctx.actor.provider === plugin.id) user = await core.principals.find(ctx.actor.principalId);
    else if (ctx.actor.kind === 'operator') throw badInput('user_id is required for the operator.', { errors: [{ field: 'user_id', message: 'This field is required.' }] });
    else throw forbidden('These routes are for Alation users (and the operator).');
    if (!user) throw notFound('User');
    return { ctx, user };
  };

  route(`${extension}/listRefreshTokens`, async (req) => {
    const { ctx, user } = await signedIn(req, true);
    const rows = await plugin.listRefreshTokens(ctx, user.id);
    return [
      200,
      {
        user_id: Number(user.number),
        refresh_tokens: rows.map(({ token, accessToken }) => ({
          ...refreshBody(token, user),
          api_access_token_status: accessToken ? core.tokens.status(accessToken) : null,
        })),
      },
    ];
  });

  route(`${extension}/revokeUserTokens`, async (req) => {
    const { ctx, user } = await signedIn(req, false);
    const revoked = await plugin.revokeAllTokens(ctx, user.id);
    return [200, { detail: `Revoked ${revoked.length} active token(s) of user ${Number(user.number)}.`, revoked: revoked.length }];
  });

  // Body-parser failures on these paths answer in the vendor's error shape too.
  router.use([vendor, extension], (error: { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (error.type === 'entity.too.large') return void res.status(413).json({ detail: 'Request body is too large.', code: '413000' });
    const detail = error.type === 'entity.parse.failed' ? 'Request body is not valid JSON.' : 'Request body could not be read.';
    res.status(400).json({ title: 'Invalid Payload', detail, errors: [], code: '400000' });
  });
}

type FieldKind = 'string' | 'password' | 'secret' | 'userId' | 'userId?';

/** Reads and checks a body; every problem at once, as a 400 `Invalid Payload`. */
function readBody(req: Request, spec: Record<string, FieldKind>): Record<string, string | number | undefined> {
  const raw: unknown = req.body;
  const body = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
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

/** ISO-8601 UTC with microseconds and `Z`, as Alation writes them: `2022-11-15T21:52:48.116496Z`. */
export function vendorTime(date: Date | null): string | null {
  return date ? date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') : null;
}

/** `{"detail", "code"}` for every failure; 400s also carry `title` and `errors`. Never a stack trace. */
export function vendorError(error: unknown): [number, object] {
  if (!isGatewayError(error)) return [500, { detail: 'Internal server error.', code: '500000' }];
  const status = error.httpStatus;
  if (error.code !== 'BAD_USER_INPUT') return [status, { detail: error.message, code: `${status}000` }];
  const details = error.details ?? {};
  const errors = Array.isArray(details.errors) ? details.errors : [{ field: (details.field as string | undefined) ?? null, message: error.message }];
  return [400, { title: 'Invalid Payload', detail: error.message, errors, code: '400000' }];
}
