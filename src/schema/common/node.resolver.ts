import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { isUuid, tokenStatus } from '../../core';
import type { GraphQLContext } from '../context';
import { Persona } from '../persona/persona.type';
import { ServiceAccount } from '../service-account/service-account.type';
import { AccessToken, RefreshToken } from '../token/token.types';
import { Node } from './node.interface';

@Resolver()
export class NodeResolver {
  @Authorized()
  @Query(() => Node, { nullable: true, description: 'Any object by id: service account, token or persona.' })
  async node(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Node | null> {
    if (!isUuid(id)) return null;
    const [account, token, persona] = await Promise.all([ctx.core.principals.find(id), ctx.core.tokens.find(id), ctx.core.catalog.persona(id)]);
    if (account) return ServiceAccount.from(await ctx.registry.getServiceAccount(ctx, id));
    if (token) {
      const found = await ctx.registry.getToken(ctx, id);
      const status = tokenStatus(found.token, ctx.core.clock.now());
      return found.type === 'refresh' ? RefreshToken.from(found.token, status) : AccessToken.from(found.token, status);
    }
    if (persona) return Persona.from(await ctx.registry.getPersona(ctx, id));
    return null;
  }

}
