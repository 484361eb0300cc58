import { ArrayMaxSize, IsOptional, Length } from 'class-validator';
import { Arg, Args, Authorized, Ctx, Field, InputType, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { toConnection } from '../common/connection';
import { PaginationArgs } from '../common/pagination.args';
import { Provider } from '../common/provider.enum';
import { Persona, PersonaConnection } from './persona.type';

@InputType()
export class PersonaPolicyInput {
  @Field()
  @Length(1, 128)
  action: string;

  @Field()
  @Length(1, 512)
  resource: string;
}

@InputType()
export class CreatePersonaInput {
  @Field(() => Provider, { nullable: true, description: "Defaults to the caller's provider (for the operator, the provider that keeps personas)." })
  @IsOptional()
  provider?: string;

  @Field()
  @Length(1, 255)
  name: string;

  @Field(() => String, { nullable: true, description: 'Defaults to `default/<name in kebab case>`.' })
  @IsOptional()
  @Length(1, 512)
  qualifiedName?: string;

  @Field(() => [PersonaPolicyInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(200)
  policies?: PersonaPolicyInput[];
}

@Resolver(() => Persona)
export class PersonaResolver {
  @Authorized()
  @Query(() => PersonaConnection)
  async personas(@Args() { first, after }: PaginationArgs, @Ctx() ctx: GraphQLContext) {
    const page = await ctx.registry.listPersonas(ctx, { first, after });
    return toConnection(page, Persona.from);
  }

  @Authorized()
  @Mutation(() => Persona)
  async createPersona(@Arg('input') input: CreatePersonaInput, @Ctx() ctx: GraphQLContext): Promise<Persona> {
    return Persona.from(await ctx.registry.createPersona(ctx, input.provider, input));
  }
}
