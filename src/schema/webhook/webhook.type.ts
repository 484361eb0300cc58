import { ArrayMaxSize, IsOptional, Length } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { WebhookDeliveryEntity, WebhookEntity } from '../../entities';
import { PageInfo } from '../common/page-info.type';
import { Provider } from '../common/provider.enum';
import { TokenEventKind } from '../events/token-event-kind.enum';

export enum WebhookStatus {
  ACTIVE = 'ACTIVE',
  FAILING = 'FAILING',
}
registerEnumType(WebhookStatus, { name: 'WebhookStatus', description: 'FAILING: the event at its head has failed for longer than the retry window; delivery keeps retrying from there.' });

export enum WebhookDeliveryOutcome {
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}
registerEnumType(WebhookDeliveryOutcome, { name: 'WebhookDeliveryOutcome' });

@ObjectType({ description: 'An HTTPS destination that receives the events its creator may see, signed, in cursor order, at least once.' })
export class Webhook {
  @Field(() => ID)
  id: string;

  @Field()
  url: string;

  @Field(() => [TokenEventKind], { nullable: true, description: 'Only these kinds; every kind when null.' })
  kinds: string[] | null;

  @Field(() => Provider, { nullable: true, description: "Only this provider's events; every provider the creator may see when null." })
  provider: string | null;

  @Field({ description: 'Also receives audit records (`dev.keygate.audit`), in chain order.' })
  audit: boolean;

  @Field({ description: 'With `audit`: the audit chain position (`seq`) delivered through.' })
  auditCursor: string;

  @Field(() => WebhookStatus)
  status: string;

  @Field({ description: 'The event-log cursor delivered through: the next delivery is the first event after it.' })
  cursor: string;

  @Field(() => Int, { description: 'Attempts made for the event at the head (0 when nothing is failing).' })
  attempts: number;

  @Field(() => Date, { nullable: true, description: 'When the event at the head first failed.' })
  failingSince: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the event at the head is tried again.' })
  nextAttemptAt: Date | null;

  @Field(() => Date, { nullable: true })
  lastDeliveredAt: Date | null;

  @Field()
  createdAt: Date;

  @Field({ description: 'operator or <provider>:<principal id>: whose visibility the webhook has.' })
  createdBy: string;

  static from(row: WebhookEntity): Webhook {
    return Object.assign(new Webhook(), {
      id: row.id,
      url: row.url,
      kinds: row.kinds,
      provider: row.provider,
      audit: row.audit,
      auditCursor: row.auditCursor,
      status: row.status,
      cursor: row.eventCursor,
      attempts: row.attempts,
      failingSince: row.failingSince,
      nextAttemptAt: row.nextAttemptAt,
      lastDeliveredAt: row.lastDeliveredAt,
      createdAt: row.createdAt,
      createdBy: row.createdBy,
    });
  }
}

@InputType()
export class CreateWebhookInput {
  @Field({ description: 'https:// (private, loopback and link-local addresses are refused unless KEYGATE_WEBHOOK_ALLOW_PRIVATE=true).' })
  @Length(1, 2048)
  url: string;

  @Field(() => [TokenEventKind], { nullable: true, description: 'Only these kinds; every kind when omitted.' })
  @IsOptional()
  @ArrayMaxSize(32)
  kinds?: TokenEventKind[];

  @Field(() => Provider, { nullable: true })
  provider?: string;

  @Field({ nullable: true, defaultValue: false, description: 'Also send audit records (operator only).' })
  audit?: boolean;
}

@ObjectType()
export class CreateWebhookPayload {
  @Field(() => Webhook)
  webhook: Webhook;

  @Field({ description: 'The signing secret (whsec_…), shown here once and never again.' })
  secret: string;
}

@ObjectType()
export class DeleteWebhookPayload {
  @Field(() => ID)
  deletedWebhookId: string;
}

@ObjectType({ description: 'One attempt to deliver one event.' })
export class WebhookDelivery {
  @Field(() => ID)
  id: string;

  @Field({ description: "The message id, also its CloudEvents id and webhook-id: the event's cursor, or `audit-<seq>` for an audit record." })
  eventCursor: string;

  @Field({ description: 'The CloudEvents type sent.' })
  eventType: string;

  @Field(() => Int, { description: '1 for the first attempt of this event, 2 for its first retry, …' })
  attempt: number;

  @Field(() => WebhookDeliveryOutcome)
  outcome: string;

  @Field(() => Int, { nullable: true, description: "The receiver's HTTP status; null when there was no response." })
  statusCode: number | null;

  @Field(() => String, { nullable: true, description: 'Why there was no response (connection refused, timeout, refused address).' })
  error: string | null;

  @Field()
  attemptedAt: Date;

  @Field(() => Date, { nullable: true, description: 'When this event is tried again (failed attempts).' })
  nextRetryAt: Date | null;

  static from(row: WebhookDeliveryEntity): WebhookDelivery {
    return Object.assign(new WebhookDelivery(), {
      id: String(row.id),
      eventCursor: row.eventCursor,
      eventType: row.eventType,
      attempt: row.attempt,
      outcome: row.outcome,
      statusCode: row.statusCode,
      error: row.error,
      attemptedAt: row.attemptedAt,
      nextRetryAt: row.nextRetryAt,
    });
  }
}

@ObjectType()
export class WebhookDeliveryEdge {
  @Field()
  cursor: string;

  @Field(() => WebhookDelivery)
  node: WebhookDelivery;
}

@ObjectType()
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge])
  edges: WebhookDeliveryEdge[];

  @Field(() => [WebhookDelivery])
  nodes: WebhookDelivery[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}
