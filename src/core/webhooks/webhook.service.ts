import { randomBytes } from 'node:crypto';
import { WebhookDeliveryEntity, WebhookEntity } from '../../entities';
import type { AuditService } from '../audit';
import type { Change } from '../change';
import type { Clock } from '../clock';
import type { RequestContext } from '../context';
import type { Actor } from '../credentials/actor';
import { actorLabel } from '../credentials/actor';
import type { Database } from '../database';
import { badInput, forbidden, notFound, unauthenticated } from '../errors';
import type { EventService } from '../events';
import type { Issued } from '../secrets';
import { isUuid, MAX_PAGE, parseBigintId, type Page } from '../services/pagination';
import type { MasterKey } from '../signing';
import { checkDestination } from './destination';

/** Webhooks one principal may keep: each costs a deliverer and outbound requests. */
export const MAX_WEBHOOKS_PER_CREATOR = 25;

export interface CreateWebhook {
  url: string;
  kinds?: readonly string[] | null;
  provider?: string | null;
  audit?: boolean | null;
}

export interface WebhookSettings {
  /** `KEYGATE_WEBHOOK_ALLOW_PRIVATE`: private and loopback destinations (and plain http) are allowed. */
  allowPrivate: boolean;
  /** Seals signing secrets: they must be reused to sign, so they are encrypted, not hashed. */
  masterKey: () => MasterKey;
  /** Told when a webhook is created here, so that delivery starts without waiting for a scan. */
  onCreated?: () => void;
}

/**
 * Webhooks as the caller manages them: create (secret shown once), list, delete, and the record of
 * delivery attempts. A webhook belongs to the principal that created it and receives what that
 * principal may see; the operator sees and manages every webhook. Delivery is WebhookDispatcher's.
 */
export class WebhookService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly change: Change,
    private readonly events: EventService,
    private readonly audit: AuditService,
    private readonly settings: WebhookSettings,
  ) {}

  /** The audit chain's newest `seq` once everything final is sealed. */
  private async auditHead(): Promise<string> {
    await this.audit.chain.seal();
    const [head] = (await this.db.manager.query(`SELECT seq::text AS seq FROM audit_chain_head WHERE id = 1`)) as { seq: string }[];
    return head?.seq ?? '0';
  }

  async create(ctx: RequestContext, input: CreateWebhook): Promise<Issued<WebhookEntity>> {
    const actor = requireActor(ctx);
    if (input.audit && actor.kind !== 'operator') throw forbidden('Only the gateway operator may receive audit records.');
    const url = await checkDestination(input.url ?? '', this.settings.allowPrivate);
    // Delivery starts after what is in the logs now: a new webhook is not sent the past.
    const cursor = await this.events.head();
    const auditCursor = input.audit ? await this.auditHead() : '0';
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const webhook = await this.change(ctx, { provider: input.provider ?? actor.provider, action: 'webhook.create', detail: { host: url.host } }, async (scope) => {
      const { manager } = scope.tx;
      const kept = await manager.count(WebhookEntity, { where: { creatorId: actor.principalId } });
      if (kept >= MAX_WEBHOOKS_PER_CREATOR) throw badInput(`You already have ${MAX_WEBHOOKS_PER_CREATOR} webhooks, the most one principal may keep; delete one first.`, { field: 'url' });
      const row = await manager.save(
        manager.create(WebhookEntity, {
          url: url.toString(),
          kinds: input.kinds?.length ? [...new Set(input.kinds)] : null,
          provider: input.provider ?? null,
          audit: Boolean(input.audit),
          secretSealed: this.settings.masterKey().encrypt(Buffer.from(secret, 'utf8')),
          creatorId: actor.principalId,
          createdBy: actorLabel(actor),
          createdAt: this.clock.now(),
          eventCursor: cursor,
          auditCursor,
        }),
      );
      scope.setTarget(row.id);
      return row;
    });
    this.settings.onCreated?.();
    return { record: webhook, secret };
  }

  /** The caller's webhooks (every webhook for the operator), oldest first; never a secret. */
  async list(ctx: RequestContext): Promise<WebhookEntity[]> {
    const actor = requireActor(ctx);
    const qb = this.db.manager.createQueryBuilder(WebhookEntity, 'w').orderBy('w.created_at', 'ASC').addOrderBy('w.id', 'ASC');
    if (actor.kind !== 'operator') qb.where('w.creator_id = :creator', { creator: actor.principalId });
    return qb.getMany();
  }

  /** Deletes a webhook and its delivery record; an undelivered backlog is dropped with it. */
  async delete(ctx: RequestContext, id: string): Promise<string> {
    const existing = await this.visible(ctx, id);
    await this.change(ctx, { provider: existing.provider ?? requireActor(ctx).provider, action: 'webhook.delete', target: id }, async ({ tx }) => {
      const result = await tx.manager.delete(WebhookEntity, { id });
      if (!result.affected) throw notFound('Webhook');
    });
    return id;
  }

  /** Delivery attempts, newest first; `after` is the cursor of the last attempt of the previous page. */
  async deliveries(ctx: RequestContext, webhookId: string, args: { first?: number | null; after?: string | null }): Promise<Page<WebhookDeliveryEntity>> {
    await this.visible(ctx, webhookId);
    const first = Math.min(Math.max(args.first ?? 50, 0), MAX_PAGE);
    const qb = this.db.manager.createQueryBuilder(WebhookDeliveryEntity, 'd').where('d.webhook_id = :webhookId', { webhookId });
    const totalCount = await qb.clone().getCount();
    if (args.after != null) {
      const before = parseBigintId(args.after);
      if (before === null) throw badInput('Invalid cursor.', { field: 'after' });
      qb.andWhere('d.id < :before', { before: before.toString() });
    }
    const rows = await qb.orderBy('d.id', 'DESC').take(first + 1).getMany();
    const nodes = rows.slice(0, first);
    return { nodes, hasNextPage: rows.length > first, endCursor: nodes.length ? String(nodes[nodes.length - 1].id) : null, totalCount };
  }

  /** The webhook when the caller may manage it; NOT_FOUND alike for missing and someone else's. */
  private async visible(ctx: RequestContext, id: string): Promise<WebhookEntity> {
    const actor = requireActor(ctx);
    const webhook = isUuid(id) ? await this.db.manager.findOne(WebhookEntity, { where: { id } }) : null;
    if (!webhook || (actor.kind !== 'operator' && webhook.creatorId !== actor.principalId)) throw notFound('Webhook');
    return webhook;
  }
}

function requireActor(ctx: RequestContext): Actor {
  if (!ctx.actor) throw unauthenticated();
  return ctx.actor;
}
