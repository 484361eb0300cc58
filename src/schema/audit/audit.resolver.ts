import { Arg, Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { PaginationArgs } from '../common/pagination.args';
import { AuditEvent, AuditEventConnection, AuditFilter } from './audit.type';

@Resolver()
export class AuditResolver {
  @Authorized()
  @Query(() => AuditEventConnection, {
    description: "The audit log, newest first: every row for the operator, a provider's rows where its policy grants audit view (Talend: AUDIT_LOGS_VIEW).",
  })
  async auditEvents(
    @Arg('filter', () => AuditFilter, { nullable: true }) filter: AuditFilter | undefined,
    @Args() { first, after }: PaginationArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuditEventConnection> {
    const page = await ctx.core.audit.search(ctx, ctx.registry.all(), filter ?? {}, { first, after });
    const edges = page.nodes.map((row) => ({ cursor: String(row.id), node: AuditEvent.from(row) }));
    return { edges, nodes: edges.map((e) => e.node), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor }, totalCount: page.totalCount };
  }
}
