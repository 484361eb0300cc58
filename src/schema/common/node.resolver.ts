import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { CoreActions, isUuid, tokenStatus } from '../../core';
import { PersonaEntity } from '../../entities';
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
    const account = await ctx.loaders.serviceAccount.load(id);
    if (account && ctx.providers.has(account.provider)) {
      return ServiceAccount.from(await ctx.core.principals.get(ctx, ctx.providers.get(account.provider), id));
    }
    const found = await ctx.core.tokens.find(id);
    if (found && ctx.providers.has(found.token.provider)) {
      await ctx.core.guard.require(ctx, ctx.providers.get(found.token.provider), CoreActions.readToken, { ownerId: found.token.ownerId });
      const status = tokenStatus(found.token, ctx.core.clock.now());
      return found.type === 'refresh' ? RefreshToken.from(found.token, status) : AccessToken.from(found.token, status);
    }
    const persona = await ctx.core.db.manager.findOne(PersonaEntity, { where: { id } });
    if (persona && ctx.providers.has(persona.provider)) {
      await ctx.core.guard.require(ctx, ctx.providers.get(persona.provider), CoreActions.listPersonas);
      return Persona.from(persona);
    }
    return null;
  }
}
