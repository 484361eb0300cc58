import { Max, Min } from 'class-validator';
import { ArgsType, Field, Int } from 'type-graphql';

@ArgsType()
export class PaginationArgs {
  @Field(() => Int, { nullable: true, description: 'At most 100.' })
  @Min(0)
  @Max(100)
  first?: number;

  @Field(() => String, { nullable: true })
  after?: string;
}
