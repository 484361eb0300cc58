import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { badInput, isUuid, notFound, tokenStatus, type Actor } from '../../core';
import type { ProviderPlugin } from '../../plugins/provider';
import type { GraphQLContext } from '../context';
import { ServiceAccount } from '../service-account/service-account.type';
import {
  CreateAccessTokenInput,
  CreateAccessTokenPayload,
  CreateRefreshTokenInput,
  CreateRefreshTokenPayload,
  RevokeTokenPayload,
  RevokeTokensPayload,
} from './token.inputs';
import { AccessToken, RefreshToken } from './token.types';

async function pluginFor(ctx: GraphQLContext, accountId: string | undefined, provider: string | undefined): Promise<ProviderPlugin> {
  if (accountId) {
    const account = await ctx.loaders.serviceAccount.load(accountId);
    if (!account || !ctx.providers.has(account.provider)) throw notFound('Service account');
    return ctx.providers.get(account.provider);
  }
  if (provider) return ctx.providers.get(provider);
  const actor = ctx.actor as Actor;
  if (actor.kind === 'operator') throw badInput('Say which provider or service account the token is for.');
  return ctx.providers.get(actor.provider);
}

async function ownerOf(ctx: GraphQLContext, ownerId: string): Promise<ServiceAccount> {
  const owner = await ctx.loaders.serviceAccount.load(ownerId);
  if (!owner) throw notFound('Service account');
  return ServiceAccount.from(owner);
}

@Resolver()
export class TokenMutationResolver {
  @Authorized()
  @Mutation(() => CreateRefreshTokenPayload)
  async createRefreshToken(@Arg('input') input: CreateRefreshTokenInput, @Ctx() ctx: GraphQLContext): Promise<CreateRefreshTokenPayload> {
    const plugin = await pluginFor(ctx, input.serviceAccountId, input.provider);
    if (!plugin.createRefreshToken) throw badInput(`${plugin.displayName} has no refresh tokens.`);
    const issued = await plugin.createRefreshToken(ctx, input);
    return { refreshToken: RefreshToken.from(issued.record, ctx.core.tokens.status(issued.record)), secret: issued.secret! };
  }

  @Authorized()
  @Mutation(() => CreateAccessTokenPayload)
  async createAccessToken(@Arg('input') input: CreateAccessTokenInput, @Ctx() ctx: GraphQLContext): Promise<CreateAccessTokenPayload> {
    let plugin: ProviderPlugin;
    if (input.refreshTokenId) {
      const parent = await ctx.loaders.refreshToken.load(input.refreshTokenId);
      if (!parent || !ctx.providers.has(parent.provider)) throw notFound('Refresh token');
      plugin = ctx.providers.get(parent.provider);
    } else {
      plugin = await pluginFor(ctx, input.serviceAccountId, undefined);
    }
    if (!plugin.createAccessToken) throw badInput(`${plugin.displayName} does not mint access tokens this way.`);
    const issued = await plugin.createAccessToken(ctx, input);
    return { accessToken: AccessToken.from(issued.record, ctx.core.tokens.status(issued.record)), secret: issued.secret! };
  }

  @Authorized()
  @Mutation(() => RevokeTokenPayload, { description: 'Revokes a refresh token (with its access tokens) or an access token.' })
  async revokeToken(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<RevokeTokenPayload> {
    const found = await ctx.core.tokens.find(id);
    if (!found || !ctx.providers.has(found.token.provider)) throw notFound('Token');
    const plugin = ctx.providers.get(found.token.provider);
    const revokedIds = plugin.revokeToken ? await plugin.revokeToken(ctx, id) : (await ctx.core.tokens.revoke(ctx, plugin, id)).revokedIds;
    const after = (await ctx.core.tokens.find(id))!;
    const status = ctx.core.tokens.status(after.token);
    return {
      refreshToken: after.type === 'refresh' ? RefreshToken.from(after.token, status) : null,
      accessToken: after.type === 'access' ? AccessToken.from(after.token, status) : null,
      revokedIds,
    };
  }
}

@Resolver()
export class BulkRevocationResolver {
  @Authorized()
  @Mutation(() => RevokeTokensPayload, { description: 'Revokes every active access token minted from one refresh token; the refresh token stays.' })
  async revokeAccessTokens(@Arg('refreshTokenId', () => ID) refreshTokenId: string, @Ctx() ctx: GraphQLContext): Promise<RevokeTokensPayload> {
    const parent = isUuid(refreshTokenId) ? await ctx.loaders.refreshToken.load(refreshTokenId) : null;
    if (!parent || !ctx.providers.has(parent.provider)) throw notFound('Refresh token');
    const plugin = ctx.providers.get(parent.provider);
    const revokedIds = plugin.revokeAccessTokens ? await plugin.revokeAccessTokens(ctx, refreshTokenId) : await ctx.core.tokens.revokeAccessTokensOf(ctx, plugin, parent);
    return { revokedIds };
  }

  @Authorized()
  @Mutation(() => RevokeTokensPayload, { description: 'Revokes every token a principal holds (offboarding); the account itself stays.' })
  async revokeServiceAccountTokens(@Arg('serviceAccountId', () => ID) serviceAccountId: string, @Ctx() ctx: GraphQLContext): Promise<RevokeTokensPayload> {
    const account = isUuid(serviceAccountId) ? await ctx.loaders.serviceAccount.load(serviceAccountId) : null;
    if (!account || !ctx.providers.has(account.provider)) throw notFound('Service account');
    const plugin = ctx.providers.get(account.provider);
    const revokedIds = plugin.revokeServiceAccountTokens
      ? await plugin.revokeServiceAccountTokens(ctx, serviceAccountId)
      : await ctx.core.tokens.revokeAllOf(ctx, plugin, serviceAccountId);
    return { revokedIds };
  }
}

@Resolver(() => RefreshToken)
export class RefreshTokenResolver {
  @FieldResolver(() => ServiceAccount)
  owner(@Root() token: RefreshToken, @Ctx() ctx: GraphQLContext) {
    return ownerOf(ctx, token.ownerId);
  }

  @FieldResolver(() => AccessToken, { nullable: true, description: 'The newest access token minted from it; null when none was.' })
  async accessToken(@Root() token: RefreshToken, @Ctx() ctx: GraphQLContext): Promise<AccessToken | null> {
    const tokens = await ctx.loaders.accessTokensByRefreshToken.load(token.id);
    const newest = tokens[tokens.length - 1];
    return newest ? AccessToken.from(newest, tokenStatus(newest, ctx.core.clock.now())) : null;
  }
}

@Resolver(() => AccessToken)
export class AccessTokenResolver {
  @FieldResolver(() => ServiceAccount)
  owner(@Root() token: AccessToken, @Ctx() ctx: GraphQLContext) {
    return ownerOf(ctx, token.ownerId);
  }

  @FieldResolver(() => RefreshToken, { nullable: true })
  async refreshToken(@Root() token: AccessToken, @Ctx() ctx: GraphQLContext): Promise<RefreshToken | null> {
    if (!token.refreshTokenId) return null;
    const parent = await ctx.loaders.refreshToken.load(token.refreshTokenId);
    return parent ? RefreshToken.from(parent, tokenStatus(parent, ctx.core.clock.now())) : null;
  }
}
