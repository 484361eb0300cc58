import { Max, Min } from 'class-validator';
import { ArgsType, Field, Int } from 'type-graphql';

@ArgsType()
export class PaginationArgs {
  @Field(() => Int, { nullable: true, description: 'Page size, 20 by default, at most 1000.' })
  @Min(0)
  @Max(1000)
  first?: number;

  @Field(() => String, { nullable: true })
  after?: string;
}
