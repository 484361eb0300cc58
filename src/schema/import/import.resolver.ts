import { Arg, Authorized, Ctx, Field, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { badInput } from '../../core';
import type { GraphQLContext } from '../context';
import { Provider } from '../common/provider.enum';
import { ServiceAccount } from '../service-account/service-account.type';

@ObjectType()
export class ImportRowError {
  @Field(() => Int, { description: 'The CSV line (the header is line 1).' })
  line: number;

  @Field(() => String, { nullable: true })
  field: string | null;

  @Field()
  message: string;
}

@ObjectType()
export class ImportServiceAccountsPayload {
  @Field({ description: 'False for a preview: nothing was written.' })
  confirmed: boolean;

  @Field(() => Int)
  total: number;

  @Field(() => Int)
  valid: number;

  @Field(() => [ImportRowError])
  errors: ImportRowError[];

  @Field(() => [ServiceAccount], { description: 'The accounts created; empty for a preview or when any row failed.' })
  serviceAccounts: ServiceAccount[];
}

const MAX_CSV_BYTES = 8 * 1024 * 1024;

@Resolver()
export class ImportResolver {
  @Authorized()
  @Mutation(() => ImportServiceAccountsPayload, { description: 'Validates every row (preview) unless `confirm`, which creates all rows in one transaction or none.' })
  async importServiceAccounts(
    @Arg('provider', () => Provider) provider: string,
    @Arg('csv') csv: string,
    @Arg('confirm', { defaultValue: false }) confirm: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ImportServiceAccountsPayload> {
    if (csv.length > MAX_CSV_BYTES) throw badInput(`The CSV is larger than ${MAX_CSV_BYTES} bytes; split it.`, { field: 'csv' });
    const result = await ctx.registry.importServiceAccounts(ctx, provider, csv, confirm);
    return { ...result, serviceAccounts: result.created.map(ServiceAccount.from) };
  }
}
