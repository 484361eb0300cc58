import { Authorized, Ctx, Field, ObjectType, Query, Resolver } from 'type-graphql';
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

  @Field(() => ServiceAccount, { nullable: true, description: 'The principal itself; null for the operator.' })
  serviceAccount: ServiceAccount | null;

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
    const account = isOperator ? null : await ctx.loaders.serviceAccount.load(actor.principalId);
    return {
      isOperator,
      provider: isOperator ? null : actor.provider,
      name: actor.name,
      kind: actor.principalKind,
      role: actor.role,
      permissions: [...actor.permissions].sort(),
      serviceAccount: account ? ServiceAccount.from(account) : null,
      credentialExpiresAt: actor.credentialExpiresAt,
    };
  }
}
