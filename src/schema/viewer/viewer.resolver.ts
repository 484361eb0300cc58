import { Authorized, Ctx, Field, FieldResolver, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { requireActor } from '../auth-checker';
import { Provider } from '../common/provider.enum';
import { ServiceAccount } from '../service-account/service-account.type';

@ObjectType({ description: 'Who the caller is.' })
export class Viewer {
  @Field()
  isOperator: boolean;

  @Field(() => Provider, { nullable: true, description: 'Null for the gateway operator.' })
  provider: string | null;

  @Field()
  name: string;

  @Field({ description: 'What the provider calls this principal: user, service_account, api_token, operator.' })
  kind: string;

  @Field(() => String, { nullable: true })
  role: string | null;

  @Field(() => [String])
  permissions: string[];

  principalId: string | null;

  @Field(() => Date, { nullable: true, description: 'When the credential of this request expires.' })
  credentialExpiresAt: Date | null;
}

@Resolver(() => Viewer)
export class ViewerResolver {
  @Authorized()
  @Query(() => Viewer)
  async viewer(@Ctx() ctx: GraphQLContext): Promise<Viewer> {
    const actor = requireActor(ctx);
    const isOperator = actor.kind === 'operator';
    return {
      isOperator,
      provider: isOperator ? null : actor.provider,
      name: actor.name,
      kind: actor.principalKind,
      role: actor.role,
      permissions: [...actor.permissions].sort(),
      principalId: isOperator ? null : actor.principalId,
      credentialExpiresAt: actor.credentialExpiresAt,
    };
  }

  @FieldResolver(() => ServiceAccount, { nullable: true, description: 'The principal itself; null for the operator.' })
  async serviceAccount(@Root() viewer: Viewer, @Ctx() ctx: GraphQLContext): Promise<ServiceAccount | null> {
    if (!viewer.principalId) return null;
    const account = await ctx.loaders.serviceAccount.load(viewer.principalId);
    return account ? ServiceAccount.from(account) : null;
  }
}
