import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { PaginationArgs } from '../common/pagination.args';
import { CreateWebhookInput, CreateWebhookPayload, DeleteWebhookPayload, Webhook, WebhookDelivery, WebhookDeliveryConnection } from './webhook.type';

/** Thin: core's WebhookService decides, audits and stores; delivery is core's WebhookDispatcher. */
@Resolver()
export class WebhookResolver {
  @Authorized()
  @Query(() => [Webhook], { description: 'Your webhooks (every webhook for the operator), oldest first; never a secret.' })
  async webhooks(@Ctx() ctx: GraphQLContext): Promise<Webhook[]> {
    return (await ctx.core.webhooks.list(ctx)).map(Webhook.from);
  }

  @Authorized()
  @Query(() => WebhookDeliveryConnection, { description: "A webhook's delivery attempts, newest first: outcome, status code, next retry." })
  async webhookDeliveries(@Arg('webhookId', () => ID) webhookId: string, @Args() { first, after }: PaginationArgs, @Ctx() ctx: GraphQLContext): Promise<WebhookDeliveryConnection> {
    const page = await ctx.core.webhooks.deliveries(ctx, webhookId, { first, after });
    const edges = page.nodes.map((row) => ({ cursor: String(row.id), node: WebhookDelivery.from(row) }));
    return { edges, nodes: edges.map((e) => e.node), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor }, totalCount: page.totalCount };
  }

  @Authorized()
  @Mutation(() => CreateWebhookPayload, { description: 'A webhook that receives the events you may see from now on; its signing secret is in this payload only.' })
  async createWebhook(@Arg('input', () => CreateWebhookInput) input: CreateWebhookInput, @Ctx() ctx: GraphQLContext): Promise<CreateWebhookPayload> {
    const issued = await ctx.core.webhooks.create(ctx, input);
    return { webhook: Webhook.from(issued.record), secret: issued.secret! };
  }

  @Authorized()
  @Mutation(() => DeleteWebhookPayload, { description: 'Deletes a webhook; what it had not received yet is not sent.' })
  async deleteWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DeleteWebhookPayload> {
    return { deletedWebhookId: await ctx.core.webhooks.delete(ctx, id) };
  }
}
