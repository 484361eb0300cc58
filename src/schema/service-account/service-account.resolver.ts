import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { badInput, CoreActions, isAllowed, isUuid, notFound, tokenStatus } from '../../core';
import type { GraphQLContext } from '../context';
import { toConnection } from '../common/connection';
import { PaginationArgs } from '../common/pagination.args';
import { PrincipalKind } from '../common/principal-kind.enum';
import { Provider } from '../common/provider.enum';
import { TokenStatusValue } from '../common/token-status.enum';
import { Permission } from '../permission/permission.type';
import { Persona } from '../persona/persona.type';
import { AccessToken, RefreshToken } from '../token/token.types';
import { CreateServiceAccountInput, CreateServiceAccountPayload, DeleteServiceAccountPayload, UpdateServiceAccountInput } from './service-account.inputs';
import { ServiceAccount, ServiceAccountConnection } from './service-account.type';

/**
 * Whether the caller may see an account's grants or tokens. Listing an account does not imply
 * reading what it holds (a Talend service-account manager lists users but may not read their tokens).
 */
function maySee(ctx: GraphQLContext, account: ServiceAccount, action: string): Promise<boolean> {
  if (!ctx.actor || !ctx.providers.has(account.provider)) return Promise.resolve(false);
  return isAllowed(ctx.actor, ctx.providers.get(account.provider), action, { ownerId: account.id, ownerKind: account.kind });
}

/** The account an id names; a client id given instead is refused saying which is which. */
async function findForMutation(ctx: GraphQLContext, id: string) {
  const account = await ctx.core.principals.find(id);
  if (account && ctx.providers.has(account.provider)) return account;
  const byClientId = await ctx.core.principals.findByClientId(id);
  if (byClientId) throw badInput(`"${id}" is a client ID; this takes the account's id (a GUID), here ${byClientId.id}.`, { field: 'id' });
  throw notFound('Service account');
}

@Resolver(() => ServiceAccount)
export class ServiceAccountResolver {
  @Authorized()
  @Query(() => ServiceAccount, { nullable: true })
  async serviceAccount(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ServiceAccount | null> {
    if (!isUuid(id)) return null;
    const account = await ctx.loaders.serviceAccount.load(id);
    if (!account || !ctx.providers.has(account.provider)) return null;
    return ServiceAccount.from(await ctx.core.principals.get(ctx, ctx.providers.get(account.provider), id));
  }

  @Authorized()
  @Query(() => ServiceAccountConnection)
  async serviceAccounts(
    @Arg('provider', () => Provider, { nullable: true }) provider: string | undefined,
    @Arg('kind', () => PrincipalKind, { nullable: true, description: 'Only principals of this kind.' }) kind: PrincipalKind | undefined,
    @Args() { first, after }: PaginationArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    const providers = provider ? [ctx.providers.get(provider)] : ctx.providers.all();
    const page = await ctx.core.principals.list(ctx, providers, { first, after, explicit: Boolean(provider), kinds: kind ? [kind] : undefined });
    return toConnection(page, ServiceAccount.from);
  }

  @Authorized()
  @Mutation(() => CreateServiceAccountPayload)
  async createServiceAccount(@Arg('input') input: CreateServiceAccountInput, @Ctx() ctx: GraphQLContext): Promise<CreateServiceAccountPayload> {
    const plugin = ctx.providers.get(input.provider);
    if (!plugin.createServiceAccount) throw badInput(`${plugin.displayName} does not create service accounts through this mutation.`);
    const { provider: _provider, ...fields } = input;
    const issued = await plugin.createServiceAccount(ctx, fields);
    return { serviceAccount: ServiceAccount.from(issued.record), secret: issued.secret };
  }

  @Authorized()
  @Mutation(() => ServiceAccount)
  async updateServiceAccount(
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdateServiceAccountInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ServiceAccount> {
    const account = await findForMutation(ctx, id);
    const plugin = ctx.providers.get(account.provider);
    if (!plugin.updateServiceAccount) throw badInput(`${plugin.displayName} accounts cannot be changed; delete and create anew.`);
    return ServiceAccount.from(await plugin.updateServiceAccount(ctx, id, input));
  }

  @Authorized()
  @Mutation(() => DeleteServiceAccountPayload, { description: 'Deletes the account and revokes every token it holds, at once.' })
  async deleteServiceAccount(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DeleteServiceAccountPayload> {
    const account = await findForMutation(ctx, id);
    const plugin = ctx.providers.get(account.provider);
    const result = plugin.deleteServiceAccount
      ? await plugin.deleteServiceAccount(ctx, id)
      : await ctx.core.principals.delete(ctx, plugin, id);
    return { deletedServiceAccountId: id, revokedTokenCount: result.revokedTokenIds.length };
  }

  @FieldResolver(() => [Permission])
  async permissions(@Root() account: ServiceAccount, @Ctx() ctx: GraphQLContext): Promise<Permission[]> {
    if (!(await maySee(ctx, account, CoreActions.readServiceAccount))) return [];
    return (await ctx.loaders.permissionsByAccount.load(account.id)).map(Permission.from);
  }

  @FieldResolver(() => [Persona])
  async personas(@Root() account: ServiceAccount, @Ctx() ctx: GraphQLContext): Promise<Persona[]> {
    if (!(await maySee(ctx, account, CoreActions.readServiceAccount))) return [];
    return (await ctx.loaders.personasByAccount.load(account.id)).map(Persona.from);
  }

  @FieldResolver(() => [RefreshToken])
  async refreshTokens(
    @Root() account: ServiceAccount,
    @Arg('status', () => TokenStatusValue, { nullable: true }) status: TokenStatusValue | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RefreshToken[]> {
    if (!(await maySee(ctx, account, CoreActions.readToken))) return [];
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
    if (!(await maySee(ctx, account, CoreActions.readToken))) return [];
    const now = ctx.core.clock.now();
    return (await ctx.loaders.accessTokensByOwner.load(account.id))
      .map((t) => AccessToken.from(t, tokenStatus(t, now)))
      .filter((t) => !status || t.status === status);
  }
}
