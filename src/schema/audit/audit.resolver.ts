import { Max, Min } from 'class-validator';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { badInput, parseBigintId } from '../../core';
import type { AuditEventEntity } from '../../entities';
import type { GraphQLContext } from '../context';

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

@ArgsType()
class AuditArgs {
  @Field(() => Int, { nullable: true, description: 'At most 500, newest first.' })
  @Min(1)
  @Max(500)
  last?: number;

  @Field(() => String, { nullable: true, description: 'Only events older than this id (the next page).' })
  before?: string;
}

@Resolver()
export class AuditResolver {
  @Authorized('operator')
  @Query(() => [AuditEvent], { description: 'The audit log, newest first (operator only).' })
  async auditEvents(
    @Args() { last, before }: AuditArgs,
    @Arg('outcome', () => String, { nullable: true }) outcome: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuditEvent[]> {
    if (before !== undefined && parseBigintId(before) === null) throw badInput('`before` is an audit event id.', { field: 'before' });
    return (await ctx.core.audit.page({ limit: last ?? 100, before, outcome })).map(AuditEvent.from);
  }
}
