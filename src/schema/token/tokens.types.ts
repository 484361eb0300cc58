import { IsOptional, IsUUID } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../common/page-info.type';
import { Provider } from '../common/provider.enum';
import { TokenStatusValue } from '../common/token-status.enum';
import { TokenFields } from './token.types';

@InputType({ description: 'Every field given narrows the list; all are optional.' })
export class TokenFilter {
  @Field(() => Provider, { nullable: true })
  provider?: string;

  @Field(() => TokenStatusValue, { nullable: true })
  status?: TokenStatusValue;

  @Field(() => ID, { nullable: true, description: 'Only the tokens this principal holds.' })
  @IsOptional()
  @IsUUID()
  serviceAccountId?: string;

  @Field(() => Date, { nullable: true, description: 'Only tokens with an expiry before this instant (with status ACTIVE: expiring soon).' })
  expiresBefore?: Date;

  @Field(() => Date, { nullable: true, description: 'Only tokens not used since this instant: last used before it, or never used and created before it.' })
  lastUsedBefore?: Date;

  @Field(() => Boolean, { nullable: true, description: 'true: only tokens never used; false: only tokens used at least once.' })
  neverUsed?: boolean;
}

@ObjectType()
export class TokenEdge {
  @Field()
  cursor: string;

  @Field(() => TokenFields)
  node: TokenFields;
}

@ObjectType()
export class TokenConnection {
  @Field(() => [TokenEdge])
  edges: TokenEdge[];

  @Field(() => [TokenFields])
  nodes: TokenFields[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int, { description: 'Tokens matching the filter, over every page.' })
  totalCount: number;
}

@ObjectType({ description: 'How many of the tokens the caller may see are in each state.' })
export class TokenSummary {
  @Field(() => Int)
  active: number;

  @Field(() => Int)
  expired: number;

  @Field(() => Int)
  revoked: number;

  @Field(() => Int, { description: 'Active tokens that expire within the horizon (7 days unless `expiringWithinDays` says otherwise).' })
  expiringSoon: number;

  @Field(() => Int, { description: 'Active tokens that were never used.' })
  neverUsed: number;
}
