import { Field, ID, ObjectType } from 'type-graphql';
import type { OperatorTokenInfo } from '../../core';
import { TokenStatusValue } from '../common/token-status.enum';

@ObjectType({ description: 'A credential of the gateway operator: named, audited, its secret shown once.' })
export class OperatorToken {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field(() => TokenStatusValue)
  status: TokenStatusValue;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;

  static from(info: OperatorTokenInfo): OperatorToken {
    return Object.assign(new OperatorToken(), { ...info, status: info.status as TokenStatusValue });
  }
}

@ObjectType()
export class CreateOperatorTokenPayload {
  @Field(() => OperatorToken)
  operatorToken: OperatorToken;

  @Field({ description: 'Shown here once and never again.' })
  secret: string;
}
