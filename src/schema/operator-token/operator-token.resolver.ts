import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { RevokeTokenPayload } from '../token/token.inputs';
import { CreateOperatorTokenPayload, OperatorToken } from './operator-token.type';

/** The operator's own tokens; core's OperatorTokenService decides and audits. */
@Resolver()
export class OperatorTokenResolver {
  @Authorized('operator')
  @Query(() => [OperatorToken], { description: 'Every operator token, newest first, revoked ones included; never a secret.' })
  async operatorTokens(@Ctx() ctx: GraphQLContext): Promise<OperatorToken[]> {
    return (await ctx.core.operatorTokens.list(ctx)).map(OperatorToken.from);
  }

  @Authorized('operator')
  @Mutation(() => CreateOperatorTokenPayload, { description: 'A new named operator token; its secret is in this payload only.' })
  async createOperatorToken(@Arg('name') name: string, @Ctx() ctx: GraphQLContext): Promise<CreateOperatorTokenPayload> {
    const issued = await ctx.core.operatorTokens.create(ctx, name);
    const [info] = (await ctx.core.operatorTokens.list(ctx)).filter((t) => t.id === issued.record.id);
    return { operatorToken: OperatorToken.from(info), secret: issued.secret! };
  }

  @Authorized('operator')
  @Mutation(() => RevokeTokenPayload, { description: 'Revokes an operator token at once, on every instance. The last active one needs a replacement first (CONFLICT).' })
  async revokeOperatorToken(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<RevokeTokenPayload> {
    return { refreshToken: null, accessToken: null, revokedIds: await ctx.core.operatorTokens.revoke(ctx, id) };
  }
}
