import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { isGatewayError, PrincipalKind as Kinds, tokenStatus } from '../../core';
import type { GraphQLContext } from '../context';
import { selects, toConnection } from '../common/connection';
import { PaginationArgs } from '../common/pagination.args';
import { PrincipalKind } from '../common/principal-kind.enum';
import { Provider } from '../common/provider.enum';
import { TokenStatusValue } from '../common/token-status.enum';
import { Permission } from '../permission/permission.type';
import { Persona } from '../persona/persona.type';
import { OAuthClientSecret, workingSecrets } from '../oauth/oauth-client-secret.type';
import { AccessToken, RefreshToken } from '../token/token.types';
import { CreateServiceAccountInput, CreateServiceAccountPayload, DeleteServiceAccountPayload, UpdateServiceAccountInput } from './service-account.inputs';
import { ServiceAccount, ServiceAccountConnection } from './service-account.type';

/** Queries answer null for what is not there (mutations say NOT_FOUND). */
async function orNull<T>(work: Promise<T>): Promise<T | null> {
  try {
    return await work;
  } catch (error) {
    if (isGatewayError(error) && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}

@Resolver(() => ServiceAccount)
export class ServiceAccountResolver {
  @Authorized()
  @Query(() => ServiceAccount, { nullable: true })
  async serviceAccount(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ServiceAccount | null> {
    const account = await orNull(ctx.registry.getServiceAccount(ctx, id));
    return account && ServiceAccount.from(account);
  }

  @Authorized()
  @Query(() => ServiceAccountConnection)
  async serviceAccounts(
    @Arg('provider', () => Provider, { nullable: true }) provider: string | undefined,
    @Arg('kind', () => PrincipalKind, { nullable: true, description: 'Only principals of this kind.' }) kind: PrincipalKind | undefined,
    @Args() { first, after }: PaginationArgs,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    const page = await ctx.registry.listServiceAccounts(ctx, { provider, first, after, kinds: kind ? [kind] : undefined, countTotal: selects(info, 'totalCount') });
    return toConnection(page, ServiceAccount.from);
  }

  @Authorized()
  @Mutation(() => CreateServiceAccountPayload)
  async createServiceAccount(@Arg('input') input: CreateServiceAccountInput, @Ctx() ctx: GraphQLContext): Promise<CreateServiceAccountPayload> {
    const { provider, ...fields } = input;
    const issued = await ctx.registry.createServiceAccount(ctx, provider, fields);
    return { serviceAccount: ServiceAccount.from(issued.record), secret: issued.secret };
  }

  @Authorized()
  @Mutation(() => ServiceAccount)
  async updateServiceAccount(
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdateServiceAccountInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ServiceAccount> {
    return ServiceAccount.from(await ctx.registry.updateServiceAccount(ctx, id, input));
  }

  @Authorized()
  @Mutation(() => DeleteServiceAccountPayload, { description: 'Deletes the account and revokes every token it holds, at once.' })
  async deleteServiceAccount(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DeleteServiceAccountPayload> {
    const result = await ctx.registry.deleteServiceAccount(ctx, id);
    return { deletedServiceAccountId: id, revokedTokenCount: result.revokedTokenIds.length };
  }

  @FieldResolver(() => [OAuthClientSecret], { nullable: true, description: "An OAuth client's working secrets with their expiry (during a rotation overlap, two); null for other kinds." })
  clientSecrets(@Root() account: ServiceAccount, @Ctx() ctx: GraphQLContext): OAuthClientSecret[] | null {
    return account.kind === Kinds.oauthClient ? workingSecrets(account.secretState, ctx.core.clock.now()) : null;
  }

  @FieldResolver(() => [Permission])
  async permissions(@Root() account: ServiceAccount, @Ctx() ctx: GraphQLContext): Promise<Permission[]> {
    if (!(await ctx.registry.mayRead(ctx, account, 'getServiceAccount'))) return [];
    return (await ctx.loaders.permissionsByAccount.load(account.id)).map(Permission.from);
  }

  @FieldResolver(() => [Persona])
  async personas(@Root() account: ServiceAccount, @Ctx() ctx: GraphQLContext): Promise<Persona[]> {
    if (!(await ctx.registry.mayRead(ctx, account, 'getServiceAccount'))) return [];
    return (await ctx.loaders.personasByAccount.load(account.id)).map(Persona.from);
  }

  @FieldResolver(() => [RefreshToken])
  async refreshTokens(
    @Root() account: ServiceAccount,
    @Arg('status', () => TokenStatusValue, { nullable: true }) status: TokenStatusValue | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RefreshToken[]> {
    if (!(await ctx.registry.mayRead(ctx, account, 'readTokens'))) return [];
    const now = ctx.core.clock.now();
    return (await ctx.loaders.refreshTokensByOwner.load(account.id))
      .map((t) => RefreshToken.from(t, tokenStatus(t, now)))
      .filter((t) => !status || t.status === status);
  }

  @FieldResolver(() => [AccessToken])
  async accessTokens(
    @Root() account: ServiceAccount,
    @Arg('status', () => TokenStatusValue, { nullable: true }) status: TokenStatusValue | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AccessToken[]> {
    if (!(await ctx.registry.mayRead(ctx, account, 'readTokens'))) return [];
    const now = ctx.core.clock.now();
    return (await ctx.loaders.accessTokensByOwner.load(account.id))
      .map((t) => AccessToken.from(t, tokenStatus(t, now)))
      .filter((t) => !status || t.status === status);
  }
}
