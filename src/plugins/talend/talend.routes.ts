import { z } from 'zod';
import { badInput, type RequestContext } from '../../core';
import type { AccessTokenEntity, PrincipalEntity } from '../../entities';
import type { RouteKit, RouteRequest } from '../route-kit';
import { personalTokenBody, serviceAccountBody, talendErrors, talendTokenErrors, userBody } from './talend.mapper';
import { TalendKind, TalendTokenKind } from './talend.policy';
import type { TalendService } from './talend.service';
import * as shapes from './talend.shapes';

const SERVICE_ACCOUNTS = '/account/service-accounts';
const PERSONAL_TOKENS = '/account/personal-access-tokens';
const USERS = '/account/users';

const SERVICE_ACCOUNT = { kind: TalendKind.serviceAccount, label: 'Service account' };
const USER = { kind: TalendKind.user, label: 'User' };
const PERSONAL = { kind: TalendTokenKind.personal, label: 'Personal access token', status: 'ACTIVE' as const };

/** Talend's REST face: each route calls the act GraphQL calls, with the same caller the same outcome. */
export function registerTalendRoutes(kit: RouteKit, talend: TalendService): void {
  const { acts } = kit;
  const options = { errors: talendErrors };
  const param = (req: RouteRequest, name: string) => String(req.params[name]);

  const list = async (ctx: RequestContext, kind: string, body: (a: PrincipalEntity, p: string[]) => object) => {
    const accounts: PrincipalEntity[] = [];
    for (let after: string | null = null; ; ) {
      const page = await acts.listServiceAccounts(ctx, { kinds: [kind], first: 100, after });
      accounts.push(...page.nodes);
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    const permissions = await talend.permissionsOfMany(accounts.map((a) => a.id));
    return { body: accounts.map((a) => body(a, permissions.get(a.id) ?? [])) };
  };
  const personalTokens = async (ctx: RequestContext, userId: string) => {
    const { tokens } = await acts.listTokens(ctx, userId, { type: 'access', kind: TalendTokenKind.personal, status: 'ACTIVE' }, USER);
    return { body: (tokens as AccessTokenEntity[]).map(personalTokenBody) };
  };

  // `/permissions` comes before `/:id`: Express matches in order.
  kit.route('GET', `${SERVICE_ACCOUNTS}/permissions`, async ({ ctx }) => ({ body: (await acts.listPermissions(ctx, 'talend')).map((p) => ({ id: p.code, name: p.name })) }), { ...options, summary: 'List grantable permissions', responses: { 200: z.array(shapes.permission) } });
  kit.route(
    'POST',
    SERVICE_ACCOUNTS,
    async ({ ctx, body }) => {
      if (body.name === undefined || body.name === null) throw badInput('name is required.', { field: 'name' });
      const issued = await acts.createServiceAccount(ctx, 'talend', { name: body.name as string, permissions: (body.permissions ?? []) as string[] });
      return { status: 201, body: { ...serviceAccountBody(issued.record, await talend.permissionsOf(issued.record.id)), secret: issued.secret } };
    },
    { ...options, secret: true, summary: 'Create a service account (its secret shown once)', request: { json: shapes.serviceAccountRequest }, responses: { 201: shapes.issuedServiceAccount } },
  );
  kit.route('GET', SERVICE_ACCOUNTS, ({ ctx }) => list(ctx, TalendKind.serviceAccount, serviceAccountBody), { ...options, summary: 'List service accounts', responses: { 200: z.array(shapes.serviceAccount) } });
  kit.route(
    'GET',
    `${SERVICE_ACCOUNTS}/:id`,
    async (req) => {
      const account = await acts.getServiceAccount(req.ctx, param(req, 'id'), SERVICE_ACCOUNT);
      return { body: serviceAccountBody(account, await talend.permissionsOf(account.id)) };
    },
    { ...options, summary: 'Read a service account', responses: { 200: shapes.serviceAccount } },
  );
  kit.route(
    'PUT',
    `${SERVICE_ACCOUNTS}/:id`,
    async (req) => {
      const account = await acts.updateServiceAccount(req.ctx, param(req, 'id'), { name: req.body.name as string, permissions: req.body.permissions as string[] }, SERVICE_ACCOUNT);
      return { body: serviceAccountBody(account, await talend.permissionsOf(account.id)) };
    },
    { ...options, summary: 'Change a service account', request: { json: shapes.serviceAccountChange }, responses: { 200: shapes.serviceAccount } },
  );
  kit.route(
    'DELETE',
    `${SERVICE_ACCOUNTS}/:id`,
    async (req) => {
      await acts.deleteServiceAccount(req.ctx, param(req, 'id'), SERVICE_ACCOUNT);
      return { status: 204 };
    },
    { ...options, summary: 'Delete a service account (and revoke its tokens)', responses: { 204: null } },
  );

  kit.route(
    'POST',
    '/security/oauth/token',
    async ({ ctx, headers, body }) => ({ body: await talend.exchange(ctx, headers.authorization, body) }),
    {
      errors: talendTokenErrors,
      auth: 'none',
      basic: 'required',
      secret: true,
      summary: 'Exchange a service account id:secret for a token',
      request: { json: shapes.tokenRequest },
      responses: { 200: shapes.tokenResponse },
    },
  );

  kit.route(
    'POST',
    PERSONAL_TOKENS,
    async ({ ctx, body }) => {
      const issued = await acts.createAccessToken(ctx, { name: body.name === undefined ? undefined : (body.name as string), serviceAccountId: typeof body.userId === 'string' ? body.userId : undefined });
      return { status: 201, body: { ...personalTokenBody(issued.record), token: issued.secret } };
    },
    { ...options, secret: true, summary: 'Create an own personal access token (shown once)', request: { json: shapes.personalTokenRequest }, responses: { 201: shapes.issuedPersonalToken } },
  );
  kit.route(
    'GET',
    PERSONAL_TOKENS,
    async ({ ctx }) => {
      if (ctx.actor!.principalKind !== TalendKind.user) throw badInput("Only Talend users have personal access tokens; an administrator lists a user's at /account/users/{userId}/personal-access-tokens.");
      return personalTokens(ctx, ctx.actor!.principalId);
    },
    { ...options, summary: 'List own personal access tokens', responses: { 200: z.array(shapes.personalToken) } },
  );
  kit.route(
    'DELETE',
    `${PERSONAL_TOKENS}/:tokenId`,
    async (req) => {
      await acts.revokeToken(req.ctx, param(req, 'tokenId'), PERSONAL);
      return { status: 204 };
    },
    { ...options, summary: 'Delete a personal access token', responses: { 204: null } },
  );

  kit.route('GET', USERS, ({ ctx }) => list(ctx, TalendKind.user, userBody), { ...options, summary: 'List users', responses: { 200: z.array(shapes.user) } });
  kit.route(
    'GET',
    `${USERS}/:userId`,
    async (req) => {
      const account = await acts.getServiceAccount(req.ctx, param(req, 'userId'), USER);
      return { body: userBody(account, await talend.permissionsOf(account.id)) };
    },
    { ...options, summary: 'Read a user', responses: { 200: shapes.user } },
  );
  kit.route(
    'PUT',
    `${USERS}/:userId`,
    async (req) => {
      const account = await acts.updateServiceAccount(req.ctx, param(req, 'userId'), { name: req.body.name as string, permissions: req.body.permissions as string[] }, USER);
      return { body: userBody(account, await talend.permissionsOf(account.id)) };
    },
    { ...options, summary: 'Change a user', request: { json: shapes.serviceAccountChange }, responses: { 200: shapes.user } },
  );
  kit.route('GET', `${USERS}/:userId/personal-access-tokens`, (req) => personalTokens(req.ctx, param(req, 'userId')), { ...options, summary: "List a user's personal access tokens", responses: { 200: z.array(shapes.personalToken) } });
  kit.route(
    'DELETE',
    `${USERS}/:userId/personal-access-tokens`,
    async (req) => {
      const { revokedIds } = await acts.revokeAllTokens(req.ctx, { id: param(req, 'userId') }, USER);
      return { body: { deleted: revokedIds.length, ids: revokedIds } };
    },
    { ...options, summary: "Delete all of a user's personal access tokens", responses: { 200: shapes.deletedTokens } },
  );
  kit.route(
    'DELETE',
    `${USERS}/:userId/personal-access-tokens/:tokenId`,
    async (req) => {
      await acts.revokeToken(req.ctx, param(req, 'tokenId'), { ...PERSONAL, ownerId: param(req, 'userId') });
      return { status: 204 };
    },
    { ...options, summary: "Delete one of a user's personal access tokens", responses: { 204: null } },
  );
}
