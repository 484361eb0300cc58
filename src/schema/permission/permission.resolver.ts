import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { Provider } from '../common/provider.enum';
import { Permission } from './permission.type';

@Resolver(() => Permission)
export class PermissionResolver {
  @Authorized()
  @Query(() => [Permission], { description: "The provider's grantable permissions." })
  async permissions(@Arg('provider', () => Provider) provider: string, @Ctx() ctx: GraphQLContext): Promise<Permission[]> {
    return (await ctx.registry.listPermissions(ctx, provider)).map(Permission.from);
  }
}
