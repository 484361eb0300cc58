import { badInput, forbidden, GatewayError, notFound, type RequestContext } from '../../core';
import type { PrincipalEntity, RefreshTokenEntity } from '../../entities';
import type { RouteKit, RouteRequest } from '../route-kit';
import { accessBody, alationErrors, readBody, refreshBody, vendorTime } from './alation.mapper';
import { ALATION_MESSAGES } from './alation.policy';
import * as shapes from './alation.shapes';
import type { AlationService } from './alation.service';

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
      return { body: { ...accessBody(token, owner, status), last_used_at: vendorTime(token.lastUsedAt) } };
    },
    { ...bodyAuth, summary: "An API access token's status", request: { json: shapes.accessTokenRequest }, responses: { 200: shapes.validatedAccessToken } },
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
