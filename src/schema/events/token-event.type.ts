import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { TokenEvent as CoreTokenEvent } from '../../core';
import { Provider } from '../common/provider.enum';

@ObjectType({ description: 'One state change of a token or service account, from the event log.' })
export class TokenEvent {
  @Field({ description: 'Position in the event log.' })
  cursor: string;

  @Field(() => Provider)
  provider: string;

  @Field({ description: 'CREATED, REVOKED, EXPIRED, EXPIRING, DELETED, PERSONAS_CHANGED, PERMISSIONS_CHANGED or SECRET_CHANGED.' })
  kind: string;

  @Field({ description: 'SERVICE_ACCOUNT, REFRESH_TOKEN or ACCESS_TOKEN.' })
  subjectType: string;

  @Field(() => ID)
  subjectId: string;

  @Field(() => ID)
  serviceAccountId: string;

  @Field({ description: 'Who made the change: operator, <provider>:<principal id>, or system.' })
  actor: string;

  @Field()
  at: Date;

  @Field(() => Int, { nullable: true, description: 'EXPIRING only: the warning horizon it announces, in seconds before the expiry (KEYGATE_EXPIRY_WARNINGS).' })
  horizonSeconds?: number;

  static from(event: CoreTokenEvent): TokenEvent {
    return Object.assign(new TokenEvent(), event);
  }
}
