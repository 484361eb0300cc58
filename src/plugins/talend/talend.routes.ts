import type { NextFunction, Request, Response, Router } from 'express';
import { badInput, conflict, GatewayError, isGatewayError, unauthenticated, type RequestContext } from '../../core';
import type { AccessTokenEntity } from '../../entities';
import type { RouteKit } from '../provider';
import { TalendKind } from './talend.policy';
import type { TalendAccount, TalendService } from './talend.service';

const SERVICE_ACCOUNTS = '/account/service-accounts';
const PERSONAL_TOKENS = '/account/personal-access-tokens';
const USERS = '/account/users';
const TOKEN = '/security/oauth/token';

/** Talend's service-account body: `{id, name, permissions, createdDate, lastModifiedDate}`. */
export function serviceAccountBody({ account, permissions }: TalendAccount) {
  return {
    id: account.clientId ?? account.id,
    name: account.name,
    permissions,
    createdDate: account.createdAt.toISOString(),
    lastModifiedDate: account.updatedAt.toISOString(),
  };
}

function userBody({ account, permissions }: TalendAccount) {
  return { id: account.id, name: account.name, permissions, createdDate: account.createdAt.toISOString() };
}

function personalTokenBody(token: AccessTokenEntity) {
  return {
    id: token.id,
    userId: token.ownerId,
    name: token.name,
    createdDate: token.createdAt.toISOString(),
    lastUsedDate: token.lastUsedAt ? token.lastUsedAt.toISOString() : null,
    expirationDate: token.expiresAt ? token.expiresAt.toISOString() : null,
  };
}

/** Every failure as JSON `{status, error, message}`: typed errors as they are, anything else masked. */
function sendError(res: Response, error: unknown): void {
  let failure: GatewayError;
  if (isGatewayError(error)) failure = error;
  else if ((error as { code?: string })?.code === '23505') failure = conflict('That name or id is already taken.');
  else {
    res.status(500).json({ status: 500, error: 'internal_error', message: 'Internal server error' });
    return;
  }
  const { error: oauthError, ...details } = failure.details ?? {};
  const status = failure.httpStatus;
  if (status === 401) res.set('www-authenticate', 'Bearer realm="keygate"');
  res.status(status).json({ status, error: typeof oauthError === 'string' ? oauthError : failure.code.toLowerCase(), message: failure.message, ...details });
}

type Handler = (req: Request, res: Response, ctx: RequestContext) => Promise<void>;

/** The vendor's REST face, over the same TalendService the GraphQL hooks call. */
export function registerTalendRoutes(router: Router, kit: RouteKit, talend: TalendService): void {
  const authenticated = (handler: Handler) => async (req: Request, res: Response) => {
    try {
      const ctx = await kit.context(req);
      if (!ctx.actor) throw unauthenticated();
      await handler(req, res, ctx);
    } catch (error) {
      sendError(res, error);
    }
  };
  const body = (req: Request): Record<string, unknown> => (req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : {});
  const param = (req: Request, name: string) => String(req.params[name]);

  // Service accounts. `/permissions` comes before `/:id`: Express matches in order.
  router.get(`${SERVICE_ACCOUNTS}/permissions`, authenticated(async (_req, res, ctx) => {
    res.json((await talend.permissionCatalog(ctx)).map((p) => ({ id: p.code, name: p.name })));
  }));
  router.post(SERVICE_ACCOUNTS, authenticated(async (req, res, ctx) => {
    const { name, permissions } = body(req);
    if (name === undefined || name === null) throw badInput('name is required.', { field: 'name' });
    const issued = await talend.createAccount(ctx, { name: name as string, permissions: (permissions ?? []) as string[] });
    const created = { account: issued.record, permissions: await talend.permissionsOf(issued.record.id) };
    res.status(201).set('cache-control', 'no-store').json({ ...serviceAccountBody(created), secret: issued.secret });
  }));
  router.get(SERVICE_ACCOUNTS, authenticated(async (_req, res, ctx) => {
    res.json((await talend.listAccounts(ctx, TalendKind.serviceAccount)).map(serviceAccountBody));
  }));
  router.get(`${SERVICE_ACCOUNTS}/:id`, authenticated(async (req, res, ctx) => {
    res.json(serviceAccountBody(await talend.getAccount(ctx, param(req, 'id'), TalendKind.serviceAccount)));
  }));
  router.put(`${SERVICE_ACCOUNTS}/:id`, authenticated(async (req, res, ctx) => {
    const { name, permissions } = body(req);
    res.json(serviceAccountBody(await talend.updateAccount(ctx, param(req, 'id'), TalendKind.serviceAccount, { name, permissions })));
  }));
  router.delete(`${SERVICE_ACCOUNTS}/:id`, authenticated(async (req, res, ctx) => {
    await talend.deleteAccount(ctx, param(req, 'id'), TalendKind.serviceAccount);
    res.status(204).end();
  }));

  // The service-account token exchange: HTTP Basic, not a bearer token.
  router.post(TOKEN, async (req, res) => {
    try {
      const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
      const token = await talend.exchange(kit.origin(req), address, req.headers.authorization, body(req));
      res.set({ 'cache-control': 'no-store', pragma: 'no-cache' }).json(token);
    } catch (error) {
      if (isGatewayError(error) && error.code === 'UNAUTHENTICATED') {
        res.status(401).set('www-authenticate', 'Basic realm="keygate", charset="UTF-8"').json({
          status: 401,
          error: 'invalid_client',
          message: 'Client authentication failed: send Authorization: Basic base64(id:secret) of a service account.',
        });
        return;
      }
      sendError(res, error);
    }
  });

  // Personal access tokens: the caller's own.
  router.post(PERSONAL_TOKENS, authenticated(async (req, res, ctx) => {
    const { name, userId } = body(req);
    const issued = await talend.createPersonalToken(ctx, {
      name: name === undefined ? undefined : (name as string),
      serviceAccountId: typeof userId === 'string' ? userId : undefined,
    });
    res.status(201).set('cache-control', 'no-store').json({ ...personalTokenBody(issued.record), token: issued.secret });
  }));
  router.get(PERSONAL_TOKENS, authenticated(async (_req, res, ctx) => {
    if (ctx.actor!.principalKind !== TalendKind.user) throw badInput('Only Talend users have personal access tokens; an administrator lists a user\'s at /account/users/{userId}/personal-access-tokens.');
    res.json((await talend.listPersonalTokens(ctx, ctx.actor!.principalId)).map(personalTokenBody));
  }));
  router.delete(`${PERSONAL_TOKENS}/:tokenId`, authenticated(async (req, res, ctx) => {
    await talend.deletePersonalToken(ctx, param(req, 'tokenId'));
    res.status(204).end();
  }));

  // Users and their personal access tokens, for administrators with Users - Manage.
  router.get(USERS, authenticated(async (_req, res, ctx) => {
    res.json((await talend.listAccounts(ctx, TalendKind.user)).map(userBody));
  }));
  router.get(`${USERS}/:userId`, authenticated(async (req, res, ctx) => {
    res.json(userBody(await talend.getAccount(ctx, param(req, 'userId'), TalendKind.user)));
  }));
  router.put(`${USERS}/:userId`, authenticated(async (req, res, ctx) => {
    const { name, permissions } = body(req);
    res.json(userBody(await talend.updateAccount(ctx, param(req, 'userId'), TalendKind.user, { name, permissions })));
  }));
  router.get(`${USERS}/:userId/personal-access-tokens`, authenticated(async (req, res, ctx) => {
    res.json((await talend.listPersonalTokens(ctx, param(req, 'userId'))).map(personalTokenBody));
  }));
  router.delete(`${USERS}/:userId/personal-access-tokens`, authenticated(async (req, res, ctx) => {
    const deleted = await talend.deleteAllPersonalTokens(ctx, param(req, 'userId'));
    res.json({ deleted: deleted.length, ids: deleted });
  }));
  router.delete(`${USERS}/:userId/personal-access-tokens/:tokenId`, authenticated(async (req, res, ctx) => {
    await talend.deletePersonalToken(ctx, param(req, 'tokenId'), param(req, 'userId'));
    res.status(204).end();
  }));

  // A malformed body on these paths answers in the same shape as every other error here.
  router.use([SERVICE_ACCOUNTS, PERSONAL_TOKENS, USERS, TOKEN], (error: { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (error?.type === 'entity.parse.failed') return void res.status(400).json({ status: 400, error: 'bad_request', message: 'Request body is not valid JSON.' });
    if (error?.type === 'entity.too.large') return void res.status(413).json({ status: 413, error: 'payload_too_large', message: 'Request body is too large.' });
    next(error);
  });
}
