import type { EntityManager } from 'typeorm';
import { AuditEventEntity } from '../../entities';
import type { Clock } from '../clock';
import type { Database } from '../database';
import { Acts, isAllowed } from '../authz';
import type { ProviderDescriptor, RequestContext } from '../context';
import { badInput, forbidden, unauthenticated } from '../errors';
import { actorLabel, type Actor } from '../credentials/actor';
import { MAX_PAGE, parseBigintId, type Page } from '../services/pagination';
import { AuditChain } from './audit-chain';

export type AuditOutcome = 'success' | 'denied' | 'failed';
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['success', 'denied', 'failed'];

export interface AuditFilter {
  since?: Date | null;
  until?: Date | null;
  /** `operator`, `<provider>:<principal id>` or `anonymous`, exactly. */
  actor?: string | null;
  /** An action exactly, or a prefix ending in `*` (`token.*`). */
  action?: string | null;
  outcome?: string | null;
  /** A provider id (`keygate` for the operator's own rows). */
  provider?: string | null;
}

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

/** An audit row as inserted: the columns the database does not fill in. */
export type AuditRow = Omit<AuditEventEntity, 'id' | 'txid' | 'seq' | 'prevId' | 'prevHash' | 'hash'>;

const SECRET_LIKE = /kg[a-z]{2,4}_[0-9A-Za-z]{20,}|eyJ[\w-]+\.[\w-]+\./;

/** Append-only record of every security-relevant action. */
export class AuditService {
  /** The hash chain over these rows: sealing, verification, ordered reads (audit-chain.ts). */
  readonly chain: AuditChain;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {
    this.chain = new AuditChain(db);
  }

  /** Inside a transaction: the audit row commits or rolls back with the change it describes. */
  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    await (manager ?? this.db.manager).insert(AuditEventEntity, this.row(entry) as never);
  }

  /** The row an entry is stored as (the group commit writes many at once); refuses a credential-like detail. */
  row(entry: AuditEntry): AuditRow {
    this.chain.noteWritten();
    const detail = entry.detail ?? {};
    // A name that looks like a credential may be one pasted by mistake: refuse it rather than log it.
    if (SECRET_LIKE.test(JSON.stringify(detail)))
      throw badInput('That value looks like a credential (a keygate secret or a JWT); choose another name.', { field: 'name' });
    return {
      at: this.clock.now(),
      provider: entry.provider ?? null,
      actor: actorLabel(entry.actor),
      action: entry.action,
      target: entry.target ?? null,
      outcome: entry.outcome,
      origin: entry.origin.slice(0, 255),
      detail,
    };
  }

  /** Records a refusal without joining (or waiting for) any transaction in progress. */
  recordDenied(ctx: { actor: Actor | null; origin: string }, action: string, provider: string | null, target: string | null): void {
    this.record({ actor: ctx.actor, action, provider, target, outcome: 'denied', origin: ctx.origin }).catch(() => undefined);
  }

  /** A failed attempt (a wrong secret, a bad password): outside any transaction, awaited. */
  async recordFailed(ctx: { actor: Actor | null; origin: string }, action: string, provider: string, target: string | null): Promise<void> {
    await this.record({ actor: ctx.actor, action, provider, target, outcome: 'failed', origin: ctx.origin });
  }

  /**
   * The log, newest first, filtered. The operator reads every row; a principal reads its
   * provider's rows where that provider's policy grants `audit.view` (Talend: AUDIT_LOGS_VIEW).
   * Naming a provider the caller may not read is a refusal; otherwise such rows are left out.
   */
  async search(
    ctx: RequestContext,
    providers: readonly ProviderDescriptor[],
    filter: AuditFilter,
    args: { first?: number | null; after?: string | null },
  ): Promise<Page<AuditEventEntity>> {
    const actor = ctx.actor;
    if (!actor) throw unauthenticated();
    if (filter.outcome != null && !AUDIT_OUTCOMES.includes(filter.outcome as AuditOutcome))
      throw badInput(`Unknown outcome "${filter.outcome}". Known: ${AUDIT_OUTCOMES.join(', ')}.`, { field: 'outcome' });
    if (args.after != null && parseBigintId(args.after) === null) throw badInput('`after` is a cursor from a previous page.', { field: 'after' });
    const qb = this.db.manager.createQueryBuilder(AuditEventEntity, 'a');
    if (actor.kind !== 'operator') {
      const readable: string[] = [];
      for (const provider of providers) if (await isAllowed(actor, provider, Acts.viewAudit)) readable.push(provider.id);
      if (filter.provider && !readable.includes(filter.provider)) {
        this.recordDenied(ctx, Acts.viewAudit, filter.provider, null);
        throw forbidden(`Not allowed: ${Acts.viewAudit} on ${filter.provider}.`);
      }
      if (readable.length === 0) {
        this.recordDenied(ctx, Acts.viewAudit, actor.provider, null);
        throw forbidden('Reading the audit log needs the gateway operator or a provider grant to view audit logs.');
      }
      qb.andWhere('a.provider IN (:...readable)', { readable });
    }
    if (filter.provider) qb.andWhere('a.provider = :provider', { provider: filter.provider });
    if (filter.since) qb.andWhere('a.at >= :since', { since: filter.since });
    if (filter.until) qb.andWhere('a.at < :until', { until: filter.until });
    if (filter.actor) qb.andWhere('a.actor = :actor', { actor: filter.actor });
    if (filter.action?.endsWith('*')) qb.andWhere("a.action LIKE :prefix ESCAPE '\\'", { prefix: filter.action.slice(0, -1).replace(/[\\%_]/g, (c) => '\\' + c) + '%' });
    else if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
    if (filter.outcome) qb.andWhere('a.outcome = :outcome', { outcome: filter.outcome });
    const first = Math.min(Math.max(args.first ?? 50, 0), MAX_PAGE);
    const totalCount = await qb.clone().getCount();
    if (args.after) qb.andWhere('a.id < :after', { after: args.after });
    const rows = await qb.orderBy('a.id', 'DESC').take(first + 1).getMany();
    const nodes = rows.slice(0, first);
    return { nodes, hasNextPage: rows.length > first, endCursor: nodes.length ? String(nodes[nodes.length - 1].id) : null, totalCount };
  }
}
