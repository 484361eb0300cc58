import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, Info, Int, Query, Resolver } from 'type-graphql';
import { badInput, encodeCursor, type ListedToken } from '../../core';
import type { GraphQLContext } from '../context';
import { selects } from '../common/connection';
import { PaginationArgs } from '../common/pagination.args';
import { Provider } from '../common/provider.enum';
import { AccessToken, RefreshToken, type TokenFields } from './token.types';
import { TokenConnection, TokenFilter, TokenSummary } from './tokens.types';

const DAY_SECONDS = 24 * 3600;

function toNode(ctx: GraphQLContext, listed: ListedToken): TokenFields {
  const status = ctx.core.tokens.status(listed.token);
  return listed.type === 'refresh' ? RefreshToken.from(listed.token, status) : AccessToken.from(listed.token, status);
}

/** Dashboards: every token the caller may see, in one list and in counts. */
@Resolver()
export class TokensResolver {
  @Authorized()
  @Query(() => TokenConnection, { description: 'Every refresh and access token the caller may see (its providers\' read policy), newest first.' })
  async tokens(
    @Arg('filter', () => TokenFilter, { nullable: true }) filter: TokenFilter | undefined,
    @Args() { first, after }: PaginationArgs,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<TokenConnection> {
    const page = await ctx.core.tokenQueries.list(ctx, ctx.registry.all(), filter ?? {}, { first, after, countTotal: selects(info, 'totalCount') });
    const edges = page.nodes.map((listed) => ({ cursor: encodeCursor(listed.token), node: toNode(ctx, listed) }));
    return { edges, nodes: edges.map((e) => e.node), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor }, totalCount: page.totalCount };
  }

  @Authorized()
  @Query(() => TokenSummary, { description: 'Counts per status over the tokens `tokens` would list.' })
  async tokenSummary(
    @Arg('provider', () => Provider, { nullable: true }) provider: string | undefined,
    @Arg('expiringWithinDays', () => Int, { nullable: true, defaultValue: 7, description: 'What "soon" means for `expiringSoon`, 1 to 3650 days.' }) expiringWithinDays: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TokenSummary> {
    if (!Number.isInteger(expiringWithinDays) || expiringWithinDays < 1 || expiringWithinDays > 3650)
      throw badInput('`expiringWithinDays` is 1 to 3650.', { field: 'expiringWithinDays' });
    return ctx.core.tokenQueries.summary(ctx, ctx.registry.all(), { provider }, expiringWithinDays * DAY_SECONDS);
  }
}
