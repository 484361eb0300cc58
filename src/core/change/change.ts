import type { AuditService } from '../audit';
import type { ProviderDescriptor, RequestContext } from '../context';
import type { Database, Transaction } from '../database';
import { conflict, isGatewayError } from '../errors';
import type { EventService, NewTokenEvent } from '../events';
import { GroupCommit, type NewAccessTokenRow } from './group-commit';

/** What a change is, for its audit row: who (the context), which provider, which act, on what. */
export interface ChangeDescriptor {
  provider: ProviderDescriptor | string;
  /** The act's action name, as the provider's policy keys it (`serviceAccount.create`). */
  action: string;
  /** The object acted on, when known before the work runs. */
  target?: string | null;
  detail?: Record<string, unknown>;
}

/**
 * What a change's work gets: the transaction, and the means to say what changed. Repositories take
 * a scope, write through `tx`, and `emit` the events their writes mean; core.change appends them.
 */
export interface ChangeScope {
  readonly tx: Transaction;
  readonly ctx: RequestContext;
  readonly provider: string;
  emit(...events: NewTokenEvent[]): void;
  /** The audit row's target, when the work is what makes it (a new row's id). */
  setTarget(target: string): void;
  /** Adds ids, names or counts (never a secret) to the audit row. */
  addDetail(detail: Record<string, unknown>): void;
}

/** What an insert-only act adds: rows decided before it runs (ids made by the caller). */
export interface Additions {
  accessTokens: NewAccessTokenRow[];
  events: NewTokenEvent[];
  /** The audit row's target (the new row's id). */
  target: string;
  /** Ids, names or counts (never a secret) for the audit row. */
  detail: Record<string, unknown>;
}

export interface Change {
  <T>(ctx: RequestContext, descriptor: ChangeDescriptor, work: (scope: ChangeScope) => Promise<T>): Promise<T>;
  /**
   * An act that only adds rows (no read, no lock, no condition): it joins the next group commit
   * with its audit row and events, and resolves once they are durable. Same audit and failure
   * rules as a change with work.
   */
  append(ctx: RequestContext, descriptor: ChangeDescriptor, additions: Additions): Promise<void>;
}

/**
 * The one place an act's transaction begins: the work, its events and its audit row commit
 * together or not at all. A failure rolls everything back and is audited as `failed`. A unique
 * index that refuses a write (a name taken by a racing request) is a CONFLICT, not a 500.
 */
export function createChange(db: Database, events: EventService, audit: AuditService): Change {
  const groupCommit = new GroupCommit(db, events);
  /** Audits a failed act (outside its rolled-back transaction) and says what to throw. */
  const recordFailure = async (ctx: RequestContext, descriptor: ChangeDescriptor, provider: string, target: string | null, error: unknown): Promise<unknown> => {
    const failure = uniqueViolation(error) ? conflict('That name or id is already taken.') : error;
    await audit
      .record({ actor: ctx.actor, action: descriptor.action, provider, target, outcome: 'failed', origin: ctx.origin, detail: { code: isGatewayError(failure) ? failure.code : 'INTERNAL' } })
      .catch(() => undefined);
    return failure;
  };
  const change = async <T>(ctx: RequestContext, descriptor: ChangeDescriptor, work: (scope: ChangeScope) => Promise<T>): Promise<T> => {
    const provider = providerId(descriptor);
    let target = descriptor.target ?? null;
    const detail: Record<string, unknown> = { ...descriptor.detail };
    try {
      return await db.transaction(async (tx) => {
        const pending: NewTokenEvent[] = [];
        const scope: ChangeScope = {
          tx,
          ctx,
          provider,
          emit: (...list) => void pending.push(...list),
          setTarget: (value) => void (target = value),
          addDetail: (more) => void Object.assign(detail, more),
        };
        const result = await work(scope);
        await audit.record({ actor: ctx.actor, action: descriptor.action, provider, target, outcome: 'success', origin: ctx.origin, detail }, tx.manager);
        // Last in the transaction: the event lock is held from here to the commit only.
        await events.append(tx, ctx.actor, pending);
        return result;
      });
    } catch (error) {
      throw await recordFailure(ctx, descriptor, provider, target, error);
    }
  };
  const append = async (ctx: RequestContext, descriptor: ChangeDescriptor, additions: Additions): Promise<void> => {
    const provider = providerId(descriptor);
    try {
      const detail = { ...descriptor.detail, ...additions.detail };
      const row = audit.row({ actor: ctx.actor, action: descriptor.action, provider, target: additions.target, outcome: 'success', origin: ctx.origin, detail });
      await groupCommit.write({ accessTokens: additions.accessTokens, events: additions.events, audit: row, actor: row.actor, at: row.at });
    } catch (error) {
      throw await recordFailure(ctx, descriptor, provider, additions.target, error);
    }
  };
  return Object.assign(change, { append });
}

function providerId(descriptor: ChangeDescriptor): string {
  return typeof descriptor.provider === 'string' ? descriptor.provider : descriptor.provider.id;
}

function uniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | null;
  return e?.code === '23505' || e?.driverError?.code === '23505';
}
