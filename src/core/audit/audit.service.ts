import type { EntityManager } from 'typeorm';
import { AuditEventEntity } from '../../entities';
import type { Clock } from '../clock';
import type { Database } from '../database';
import { badInput } from '../errors';
import { actorLabel, type Actor } from '../credentials/actor';

export type AuditOutcome = 'success' | 'denied' | 'failed';

export interface AuditEntry {
  actor: Actor | null | undefined;
  action: string;
  provider?: string | null;
  target?: string | null;
  outcome: AuditOutcome;
  origin: string;
  /** Never a secret: only ids, names and counts. */
  detail?: Record<string, unknown>;
}

const SECRET_LIKE = /kg[a-z]{2,4}_[0-9A-Za-z]{20,}|eyJ[\w-]+\.[\w-]+\./;

/** Append-only record of every security-relevant action. */
export class AuditService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Inside a transaction: the audit row commits or rolls back with the change it describes. */
  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    const detail = entry.detail ?? {};
    // A name that looks like a credential may be one pasted by mistake: refuse it rather than log it.
    if (SECRET_LIKE.test(JSON.stringify(detail)))
      throw badInput('That value looks like a credential (a keygate secret or a JWT); choose another name.', { field: 'name' });
    const row = {
      at: this.clock.now(),
      provider: entry.provider ?? null,
      actor: actorLabel(entry.actor),
      action: entry.action,
      target: entry.target ?? null,
      outcome: entry.outcome,
      origin: entry.origin.slice(0, 255),
      detail,
    };
    await (manager ?? this.db.manager).insert(AuditEventEntity, row as never);
  }

  /** Records a refusal without joining (or waiting for) any transaction in progress. */
  recordDenied(ctx: { actor: Actor | null; origin: string }, action: string, provider: string | null, target: string | null): void {
    this.record({ actor: ctx.actor, action, provider, target, outcome: 'denied', origin: ctx.origin }).catch(() => undefined);
  }

  /** A failed attempt (a wrong secret, a bad password): outside any transaction, awaited. */
  async recordFailed(ctx: { actor: Actor | null; origin: string }, action: string, provider: string, target: string | null): Promise<void> {
    await this.record({ actor: ctx.actor, action, provider, target, outcome: 'failed', origin: ctx.origin });
  }

  /** Newest first; `before` pages back by id. */
  async page(options: { limit: number; before?: string; outcome?: string }): Promise<AuditEventEntity[]> {
    const qb = this.db.manager.createQueryBuilder(AuditEventEntity, 'a');
    if (options.before) qb.andWhere('a.id < :before', { before: options.before });
    if (options.outcome) qb.andWhere('a.outcome = :outcome', { outcome: options.outcome });
    return qb.orderBy('a.id', 'DESC').take(options.limit).getMany();
  }
}
