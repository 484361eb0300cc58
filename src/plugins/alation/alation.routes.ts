import { z } from 'zod';
import { badInput, forbidden, GatewayError, notFound, type RequestContext } from '../../core';
import type { PrincipalEntity, RefreshTokenEntity } from '../../entities';
import { listAllServiceAccounts, type RouteKit, type RouteRequest } from '../route-kit';
import { accessBody, alationErrors, parseUserQuery, readBody, refreshBody, userBody, vendorTime } from './alation.mapper';
import { ALATION_MESSAGES } from './alation.policy';
import * as shapes from './alation.shapes';
import type { AlationService } from './alation.service';

/** A well-formed id no principal has: the act authorizes, then answers 404. */
const NO_SUCH_USER = '00000000-0000-4000-8000-000000000000';

/**
 * Alation's REST face: the vendor's `/integration/v1/…` token routes with its bodies, status codes,
 * timestamps and errors, plus two keygate routes for what Alation only offers in its UI (listing a
 * user's tokens, revoking all of a user's tokens). Each route calls the act GraphQL calls.
 */
export function alationRoutes(kit: RouteKit, alation: AlationService): void {
  const { acts } = kit;
  const vendor = '/integration/v1';
  const extension = '/keygate/alation';
  const status = (token: { expiresAt: Date | null; revokedAt: Date | null }) => alation.status(token);
  /** The vendor's routes authenticate from the body (a refresh token and its owner's user_id). */
  const bodyAuth = { errors: alationErrors, auth: 'none' as const };

  const byRefreshToken = (req: RouteRequest) => {
    const body = readBody(req.body, { refresh_token: 'secret', user_id: 'userId' });
    return alation.authenticateRefreshToken(req.ctx, body.refresh_token as string, body.user_id as number);
  };
  const requireActive = (token: RefreshTokenEntity) => {
    if (status(token) !== 'ACTIVE') throw new GatewayError('UNAUTHENTICATED', ALATION_MESSAGES.refreshExpired);
  };
  const ownerOf = async (ownerId: string) => {
    const owner = await alation.find(ownerId);
    if (!owner) throw notFound('User');
    return owner;
  };

  kit.route(
    'POST',
    `${vendor}/createRefreshToken`,
    async (req) => {
      const body = readBody(req.body, { username: 'string', password: 'password', name: 'string' });
      const issued = await acts.createRefreshToken(req.ctx, { username: body.username as string, password: body.password as string, name: body.name as string });
      return { status: 201, body: { refresh_token: issued.secret, ...refreshBody(issued.record, await ownerOf(issued.record.ownerId), status) } };
    },
    { ...bodyAuth, secret: true, summary: 'Create a refresh token with a user name and password', request: { json: shapes.credentialsRequest }, responses: { 201: shapes.issuedRefreshToken } },
  );
  kit.route(
    'POST',
    `${vendor}/regenRefreshToken`,
    async (req) => {
      const { token, owner, ctx } = await byRefreshToken(req);
      requireActive(token);
      const issued = await acts.regenerateRefreshToken(ctx, token.id);
      return { status: 201, body: { refresh_token: issued.secret, ...refreshBody(issued.record, owner, status) } };
    },
    { ...bodyAuth, secret: true, summary: 'Replace a refresh token by a new one with the same name', request: { json: shapes.refreshTokenRequest }, responses: { 201: shapes.issuedRefreshToken } },
  );
  kit.route(
    'POST',
    `${vendor}/createAPIAccessToken`,
    async (req) => {
      const { token, owner, ctx } = await byRefreshToken(req);
      requireActive(token);
      const issued = await acts.createAccessToken(ctx, { refreshTokenId: token.id });
      return { status: 201, body: { api_access_token: issued.secret, ...accessBody(issued.record, owner, status) } };
    },
    { ...bodyAuth, secret: true, summary: 'Create an API access token from a refresh token', request: { json: shapes.refreshTokenRequest }, responses: { 201: shapes.issuedAccessToken } },
  );
  kit.route(
    'POST',
    `${vendor}/validateRefreshToken`,
    async (req) => {
      const { token, owner } = await byRefreshToken(req);
      return { body: refreshBody(token, owner, status) };
    },
    { ...bodyAuth, summary: "A refresh token's status", request: { json: shapes.refreshTokenRequest }, responses: { 200: shapes.refreshTokenBody } },
  );
  kit.route(
    'POST',
    `${vendor}/validateAPIAccessToken`,
    async (req) => {
      const body = readBody(req.body, { api_access_token: 'secret', user_id: 'userId' });
      const { token, owner } = await alation.authenticateAccessToken(req.ctx, body.api_access_token as string, body.user_id as number);
      // The token sent comes back as Alation echoes it: Allie's `Alation(host, user_id, access_token)` keeps it from here.
      return { body: { api_access_token: body.api_access_token, ...accessBody(token, owner, status), last_used_at: vendorTime(token.lastUsedAt) } };
    },
    { ...bodyAuth, secret: true, summary: "An API access token's status", request: { json: shapes.accessTokenRequest }, responses: { 200: shapes.validatedAccessTokenEcho } },
  );
  kit.route(
    'POST',
    `${vendor}/revokeAPIAccessTokens`,
    async (req) => {
      const { token, ctx } = await byRefreshToken(req);
      await acts.revokeAccessTokens(ctx, token.id);
      return { body: { detail: `Revoked active access tokens for refresh token "${token.name}".` } };
    },
    { ...bodyAuth, summary: "Revoke a refresh token's access tokens", request: { json: shapes.refreshTokenRequest }, responses: { 200: shapes.detail } },
  );

  // The users keygate keeps, read as Allie's `AlationUser` reads them (`TOKEN` header or an OAuth
  // client's JWT). Listing and reading another user are the acts' rules (a SERVER_ADMIN); anyone
  // reads itself.
  const USER = { kind: 'user', label: 'User' };
  kit.route(
    'GET',
    `${vendor}/userinfo`,
    async ({ ctx }) => {
      if (ctx.actor!.provider !== 'alation') throw forbidden('userinfo describes an Alation user or OAuth client; call it with that caller\'s token.');
      return { body: userBody(await acts.getServiceAccount(ctx, ctx.actor!.principalId), 'v2') };
    },
    { errors: alationErrors, summary: 'The calling user', responses: { 200: shapes.user } },
  );
  for (const version of ['v1', 'v2'] as const) {
    kit.route(
      'GET',
      `/integration/${version}/user`,
      async ({ ctx, query }) => {
        const page = parseUserQuery(query);
        const matching = (await listAllServiceAccounts(acts, ctx, { provider: 'alation', kinds: ['user'] })).filter(page.matches).sort((a, b) => Number(a.number) - Number(b.number));
        const users = matching.slice(page.skip, page.skip + page.limit);
        const more = page.skip + page.limit < matching.length;
        return { body: users.map((u) => userBody(u, version)), headers: more ? { 'x-next-page': `/integration/${version}/user/?${page.next()}` } : undefined };
      },
      { errors: alationErrors, summary: `List users (${version}): filters, limit and skip, X-Next-Page`, request: { query: shapes.userQuery }, responses: { 200: z.array(version === 'v1' ? shapes.userV1 : shapes.user) } },
    );
    kit.route(
      'GET',
      `/integration/${version}/user/:id`,
      async (req) => {
        const user = await alation.findUser(String(req.params.id));
        // An unknown number goes through the act too, so only a caller who may read users learns it is unknown.
        return { body: userBody(await acts.getServiceAccount(req.ctx, user?.id ?? NO_SUCH_USER, USER), version) };
      },
      { errors: alationErrors, summary: `Read a user (${version})`, responses: { 200: version === 'v1' ? shapes.userV1 : shapes.user } },
    );
  }

  /** keygate's routes take the caller's API access token in `TOKEN` (or `Authorization: Bearer`); `user_id` names another user. */
  const signedIn = async (req: RouteRequest, optionalUser: boolean): Promise<{ ctx: RequestContext; user: PrincipalEntity }> => {
    const { ctx } = req;
    const body = readBody(req.body, { user_id: optionalUser ? 'userId?' : 'userId' });
    let user: PrincipalEntity | null;
    if (body.user_id !== undefined) user = await alation.findUser(body.user_id);
    else if (ctx.actor!.provider === 'alation') user = await alation.find(ctx.actor!.principalId);
    else if (ctx.actor!.kind === 'operator') throw badInput('user_id is required for the operator.', { errors: [{ field: 'user_id', message: 'This field is required.' }] });
    else throw forbidden('These routes are for Alation users (and the operator).');
    if (!user) throw notFound('User');
    return { ctx, user };
  };

  kit.route(
    'POST',
    `${extension}/listRefreshTokens`,
    async (req) => {
      const { ctx, user } = await signedIn(req, true);
      const { tokens, newestAccessToken } = await acts.listTokens(ctx, user.id, { type: 'refresh' });
      const refresh_tokens = (tokens as RefreshTokenEntity[]).map((token) => {
        const access = newestAccessToken(token.id);
        return { ...refreshBody(token, user, status), api_access_token_status: access ? status(access) : null };
      });
      return { body: { user_id: Number(user.number), refresh_tokens } };
    },
    { errors: alationErrors, summary: "A user's refresh tokens with their access token's status", request: { json: shapes.optionalUserRequest }, responses: { 200: shapes.refreshTokenList } },
  );
  kit.route(
    'POST',
    `${extension}/revokeUserTokens`,
    async (req) => {
      const { ctx, user } = await signedIn(req, false);
      const { revokedIds } = await acts.revokeAllTokens(ctx, { id: user.id });
      return { body: { detail: `Revoked ${revokedIds.length} active token(s) of user ${Number(user.number)}.`, revoked: revokedIds.length } };
    },
    { errors: alationErrors, summary: 'Revoke every token of a user', request: { json: shapes.userRequest }, responses: { 200: shapes.revokedUserTokens } },
  );
}
