import { Length, Max, Min } from 'class-validator';
import { Arg, Authorized, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { PrincipalKind } from '../../core';
import type { PrincipalEntity } from '../../entities';
import type { GraphQLContext } from '../context';
import { ServiceAccount } from '../service-account/service-account.type';

@InputType()
export class CreateOAuthClientInput {
  @Field()
  @Length(1, 255)
  name: string;

  @Field(() => Int, { description: '5 minutes (300) to 72 hours (259200).' })
  @Min(300)
  @Max(259200)
  accessTokenLifetimeSeconds: number;

  @Field({ description: "The role of the client's system user." })
  @Length(1, 64)
  role: string;
}

@ObjectType()
export class OAuthClient {
  @Field(() => ID)
  id: string;

  @Field()
  clientId: string;

  @Field()
  name: string;

  @Field()
  role: string;

  @Field(() => ServiceAccount)
  serviceAccount: ServiceAccount;
}

@ObjectType()
export class CreateOAuthClientPayload {
  @Field(() => OAuthClient)
  client: OAuthClient;

  @Field({ description: 'Shown here once and never again.' })
  clientSecret: string;
}

@ObjectType()
export class RotateSigningKeyPayload {
  @Field({ description: 'The key id new tokens are signed with.' })
  kid: string;

  @Field(() => [String], { description: 'Every key id still published for verification.' })
  publishedKids: string[];
}

@ObjectType()
export class RegenerateOAuthClientSecretPayload {
  @Field(() => OAuthClient)
  client: OAuthClient;

  @Field({ description: 'Shown here once and never again; the previous secret no longer works.' })
  clientSecret: string;
}

@ObjectType()
export class RevokeOAuthClientTokensPayload {
  @Field(() => OAuthClient)
  client: OAuthClient;

  @Field(() => [ID])
  revokedIds: string[];
}

function clientOf(account: PrincipalEntity): OAuthClient {
  return { id: account.id, clientId: account.clientId ?? '', name: account.name, role: account.role ?? '', serviceAccount: ServiceAccount.from(account) };
}

@Resolver()
export class OAuthResolver {
  @Authorized()
  @Mutation(() => CreateOAuthClientPayload)
  async createOAuthClient(@Arg('input') input: CreateOAuthClientInput, @Ctx() ctx: GraphQLContext): Promise<CreateOAuthClientPayload> {
    const { client, clientSecret } = await ctx.registry.createOAuthClient(ctx, input);
    return { client: clientOf(client), clientSecret };
  }

  @Authorized()
  @Mutation(() => RegenerateOAuthClientSecretPayload)
  async regenerateOAuthClientSecret(@Arg('clientId') clientId: string, @Ctx() ctx: GraphQLContext): Promise<RegenerateOAuthClientSecretPayload> {
    const { client, clientSecret } = await ctx.registry.regenerateOAuthClientSecret(ctx, clientId);
    return { client: clientOf(client), clientSecret };
  }

  @Authorized()
  @Mutation(() => RevokeOAuthClientTokensPayload, { description: 'Revokes every token an OAuth client holds; the client stays.' })
  async revokeOAuthClientTokens(@Arg('clientId') clientId: string, @Ctx() ctx: GraphQLContext): Promise<RevokeOAuthClientTokensPayload> {
    const { owner, revokedIds } = await ctx.registry.revokeAllTokens(ctx, { clientId }, { kind: PrincipalKind.oauthClient, label: 'OAuth client' });
    return { client: clientOf(owner), revokedIds };
  }

  @Authorized()
  @Mutation(() => RotateSigningKeyPayload)
  async rotateSigningKey(@Ctx() ctx: GraphQLContext): Promise<RotateSigningKeyPayload> {
    return ctx.registry.rotateSigningKey(ctx);
  }
}
