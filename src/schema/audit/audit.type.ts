import { IsOptional, Length } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { AuditEventEntity } from '../../entities';
import { PageInfo } from '../common/page-info.type';

@ObjectType({ description: 'One security-relevant action: who, what, on what, how it ended, when, from where. Never a secret.' })
export class AuditEvent {
  @Field(() => ID)
  id: string;

  @Field()
  at: Date;

  @Field(() => String, { nullable: true, description: 'The provider id (`alation`, `atlan`, `talend`, `keygate` for the operator).' })
  provider: string | null;

  @Field({ description: '`operator`, `<provider>:<principal id>`, or `anonymous`.' })
  actor: string;

  @Field()
  action: string;

  @Field(() => String, { nullable: true })
  target: string | null;

  @Field({ description: 'success, denied or failed.' })
  outcome: string;

  @Field({ description: 'The face and address the request came from.' })
  origin: string;

  static from(row: AuditEventEntity): AuditEvent {
    return Object.assign(new AuditEvent(), { id: String(row.id), at: row.at, provider: row.provider, actor: row.actor, action: row.action, target: row.target, outcome: row.outcome, origin: row.origin });
  }
}

@InputType({ description: 'Every field given narrows the log; all are optional.' })
export class AuditFilter {
  @Field(() => Date, { nullable: true, description: 'At or after this instant.' })
  since?: Date;

  @Field(() => Date, { nullable: true, description: 'Before this instant.' })
  until?: Date;

  @Field(() => String, { nullable: true, description: '`operator`, `<provider>:<principal id>` or `anonymous`, exactly.' })
  @IsOptional()
  @Length(1, 255)
  actor?: string;

  @Field(() => String, { nullable: true, description: 'An action exactly (`token.revoke`), or a prefix ending in `*` (`token.*`).' })
  @IsOptional()
  @Length(1, 128)
  action?: string;

  @Field(() => String, { nullable: true, description: 'success, denied or failed.' })
  @IsOptional()
  @Length(1, 16)
  outcome?: string;

  @Field(() => String, { nullable: true, description: 'A provider id: alation, atlan, talend, or keygate for the operator.' })
  @IsOptional()
  @Length(1, 32)
  provider?: string;
}

@ObjectType()
export class AuditEventEdge {
  @Field()
  cursor: string;

  @Field(() => AuditEvent)
  node: AuditEvent;
}

@ObjectType()
export class AuditEventConnection {
  @Field(() => [AuditEventEdge])
  edges: AuditEventEdge[];

  @Field(() => [AuditEvent])
  nodes: AuditEvent[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int, { description: 'Rows matching the filter, over every page.' })
  totalCount: number;
}
