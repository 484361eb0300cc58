import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { notFound, tokenStatus } from '../../core';
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
    const issued = await ctx.registry.createRefreshToken(ctx, input);
    return { refreshToken: RefreshToken.from(issued.record, ctx.core.tokens.status(issued.record)), secret: issued.secret! };
  }

  @Authorized()
  @Mutation(() => CreateAccessTokenPayload)
  async createAccessToken(@Arg('input') input: CreateAccessTokenInput, @Ctx() ctx: GraphQLContext): Promise<CreateAccessTokenPayload> {
    const issued = await ctx.registry.createAccessToken(ctx, input);
    return { accessToken: AccessToken.from(issued.record, ctx.core.tokens.status(issued.record)), secret: issued.secret! };
  }

  @Authorized()
  @Mutation(() => RevokeTokenPayload, { description: 'Revokes a refresh token (with its access tokens) or an access token.' })
  async revokeToken(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<RevokeTokenPayload> {
    const { token: after, revokedIds } = await ctx.registry.revokeToken(ctx, id);
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
    const { revokedIds } = await ctx.registry.revokeAccessTokens(ctx, refreshTokenId);
    return { revokedIds };
  }

  @Authorized()
  @Mutation(() => RevokeTokensPayload, { description: 'Revokes every token a principal holds (offboarding); the account itself stays.' })
  async revokeAllTokens(@Arg('serviceAccountId', () => ID) serviceAccountId: string, @Ctx() ctx: GraphQLContext): Promise<RevokeTokensPayload> {
    const { revokedIds } = await ctx.registry.revokeAllTokens(ctx, { id: serviceAccountId });
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
