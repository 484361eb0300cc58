import { Length, Max, Min } from 'class-validator';
import { Arg, Authorized, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { PrincipalKind } from '../../core';
import type { PrincipalEntity } from '../../entities';
import type { GraphQLContext } from '../context';
import { ServiceAccount } from '../service-account/service-account.type';
import { OAuthClientSecret, secretStateOf, workingSecrets } from './oauth-client-secret.type';

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

  @Field(() => [OAuthClientSecret], { description: 'The secrets that work now: the current one, and the previous one while its overlap lasts.' })
  secrets: OAuthClientSecret[];
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

  @Field({ description: 'Shown here once and never again; the previous secret works until the overlap ends (client.secrets).' })
  clientSecret: string;
}

@ObjectType()
export class RevokeOAuthClientTokensPayload {
  @Field(() => OAuthClient)
  client: OAuthClient;

  @Field(() => [ID])
  revokedIds: string[];
}

function clientOf(account: PrincipalEntity, now: Date): OAuthClient {
  return { id: account.id, clientId: account.clientId ?? '', name: account.name, role: account.role ?? '', serviceAccount: ServiceAccount.from(account), secrets: workingSecrets(secretStateOf(account), now) };
}

@Resolver()
export class OAuthResolver {
  @Authorized()
  @Mutation(() => CreateOAuthClientPayload)
  async createOAuthClient(@Arg('input') input: CreateOAuthClientInput, @Ctx() ctx: GraphQLContext): Promise<CreateOAuthClientPayload> {
    const { client, clientSecret } = await ctx.registry.createOAuthClient(ctx, input);
    return { client: clientOf(client, ctx.core.clock.now()), clientSecret };
  }

  @Authorized()
  @Mutation(() => RegenerateOAuthClientSecretPayload)
  async regenerateOAuthClientSecret(
    @Arg('clientId') clientId: string,
    @Arg('overlapSeconds', () => Int, { defaultValue: 0, description: 'How long the old secret keeps working: 0 (stops at once) to 86400 (24 hours).' }) overlapSeconds: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RegenerateOAuthClientSecretPayload> {
    const { client, clientSecret } = await ctx.registry.regenerateOAuthClientSecret(ctx, clientId, overlapSeconds);
    return { client: clientOf(client, ctx.core.clock.now()), clientSecret };
  }

  @Authorized()
  @Mutation(() => RevokeOAuthClientTokensPayload, { description: 'Revokes every token an OAuth client holds; the client stays.' })
  async revokeOAuthClientTokens(@Arg('clientId') clientId: string, @Ctx() ctx: GraphQLContext): Promise<RevokeOAuthClientTokensPayload> {
    const { owner, revokedIds } = await ctx.registry.revokeAllTokens(ctx, { clientId }, { kind: PrincipalKind.oauthClient, label: 'OAuth client' });
    return { client: clientOf(owner, ctx.core.clock.now()), revokedIds };
  }

  @Authorized()
  @Mutation(() => RotateSigningKeyPayload)
  async rotateSigningKey(@Ctx() ctx: GraphQLContext): Promise<RotateSigningKeyPayload> {
    return ctx.registry.rotateSigningKey(ctx);
  }
}
