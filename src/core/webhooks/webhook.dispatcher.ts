import { randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import { PrincipalEntity, WebhookDeliveryEntity, WebhookEntity } from '../../entities';
import type { AuditService } from '../audit';
import type { Clock } from '../clock';
import { OPERATOR_PROVIDER, type CredentialService } from '../credentials';
import type { Actor } from '../credentials/actor';
import type { Database } from '../database';
import type { EventService, TokenEvent } from '../events';
import type { Logger } from '../logger';
import type { CoreMetrics } from '../metrics';
import type { MasterKey } from '../signing';
import { auditMessage, post, signatureHeaders, tokenEventMessage, type WebhookMessage } from './webhook-message';

/** Whether the webhook's creator may see an event (the subscriptions' rule, injected by the composition root). */
export type EventVisibility = (actor: Actor, event: TokenEvent) => Promise<boolean>;

export interface RetrySchedule {
  /** The delay after the first failure; each further failure doubles it, up to `maxMs`. */
  firstMs: number;
  maxMs: number;
  /** Failing for this long marks the webhook FAILING (it keeps retrying at `maxMs`, cursor kept). */
  windowMs: number;
}

export const DEFAULT_RETRY: RetrySchedule = { firstMs: 5_000, maxMs: 3_600_000, windowMs: 24 * 3_600_000 };

export interface DispatchOptions {
  allowPrivate: boolean;
  /** Requests in flight at once on this instance, across all its webhooks. */
  concurrency: number;
  retry: RetrySchedule;
  /** How long a lease holds without renewal; renewed every third of it. */
  leaseMs: number;
  timeoutMs: number;
  /** The CloudEvents `source` of every delivery. */
  source: () => string;
  masterKey: () => MasterKey;
  visibility: EventVisibility;
  /** Failed attempts (debug), a webhook turning FAILING (warn), a deliverer that stopped on an error (error). Never a URL or a secret. */
  logger?: Logger;
  metrics?: CoreMetrics;
}

const BATCH = 100;
/** Progress is written after this many deliveries or this long, whichever comes first. */
const FLUSH_EVERY = 100;
const FLUSH_MS = 250;

/** The nominal delay after `failures` failed attempts, with equal jitter: between half and all of it. */
export function retryDelay(failures: number, retry: RetrySchedule, random = Math.random): number {
  const nominal = Math.min(retry.maxMs, retry.firstMs * 2 ** Math.min(failures - 1, 40));
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}

/** A wait that ends early when woken (new events, stop); a wake while nobody waits ends the next wait at once. */
class Pause {
  private wakeUp: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private woken = false;

  async wait(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      this.wakeUp = resolve;
      this.timer = setTimeout(resolve, Math.max(0, ms));
    });
    if (this.timer) clearTimeout(this.timer);
    this.timer = this.wakeUp = null;
  }

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }
}

/** What a deliverer has done since it last wrote: the cursor reached and the attempts that succeeded. */
interface Progress {
  cursor: string;
  auditCursor: string;
  delivered: Omit<WebhookDeliveryEntity, 'id'>[];
  dirty: boolean;
  since: number;
}

interface Runner {
  id: string;
  progress: Progress;
  /** False once the lease was lost or the dispatcher stops: the loop ends at its next step. */
  holding: boolean;
  /** Idle waits end on new events; retry waits only on stop. */
  idle: Pause;
  retry: Pause;
  done: Promise<void>;
}

/**
 * Delivers the event log to webhooks. Each webhook is a cursor into the log (no queue of its own);
 * its deliverer reads the settled log past it in commit order, sends one event at a time (so a
 * receiver sees them in cursor order) and moves the cursor only when the receiver answered 2xx.
 * A failure is retried after an exponentially growing, jittered delay, the same event again, for
 * as long as it takes: after `retry.windowMs` of failures the webhook is marked FAILING (an event
 * and an audit row say so) and keeps its cursor.
 *
 * Across a cluster each webhook has one deliverer at a time: a lease in its row (owner and expiry
 * in database time), taken and renewed by one statement every third of the lease, with SKIP LOCKED
 * so instances never wait on each other. A lease that lapses (its instance died) is taken over;
 * every write a deliverer makes is conditioned on still holding it. Requests in flight on one
 * instance are capped at `concurrency`.
 */
export class WebhookDispatcher {
  private readonly instance = randomUUID();
  private readonly runners = new Map<string, Runner>();
  private inFlight = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private readonly aborts = new AbortController();
  private tickTimer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private unsubscribe: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly events: EventService,
    private readonly audit: AuditService,
    private readonly credentials: CredentialService,
    private readonly options: DispatchOptions,
  ) {}

  async start(): Promise<void> {
    const wakeAll = () => {
      for (const runner of this.runners.values()) runner.idle.wake();
    };
    // New events from any instance; audit rows once this instance sealed them (others' within the idle wait).
    this.unsubscribe = [this.events.subscribe(wakeAll), this.audit.chain.onSealed(wakeAll)];
    this.tickTimer = setInterval(() => this.kick(), Math.max(10, Math.floor(this.options.leaseMs / 3)));
    this.tickTimer.unref();
    await this.tick();
  }

  /** Takes and renews leases now (a webhook was created on this instance). */
  kick(): void {
    if (this.stopped || this.ticking) return;
    this.ticking = this.tick()
      .catch(() => undefined)
      .finally(() => (this.ticking = null));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    if (this.tickTimer) clearInterval(this.tickTimer);
    await this.ticking;
    for (const runner of this.runners.values()) {
      runner.holding = false;
      runner.idle.wake();
      runner.retry.wake();
    }
    // Requests in flight are cut: the event stays at the head and is sent again later (same webhook-id).
    this.aborts.abort();
    for (const waiter of this.slotWaiters.splice(0)) waiter();
    await Promise.all([...this.runners.values()].map((r) => r.done));
    // Another instance (or the next start) takes over at once instead of after the lease lapses.
    await this.db.dataSource.query('UPDATE webhook SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1', [this.instance]).catch(() => undefined);
  }

  /** One statement: renew this instance's leases and take free or lapsed ones. */
  private async tick(): Promise<void> {
    const rows = rowsOf<{ id: string }>(await this.db.dataSource.query(
      `UPDATE webhook SET lease_owner = $1, lease_until = clock_timestamp() + $2::int * interval '1 millisecond'
        WHERE id IN (SELECT id FROM webhook
                      WHERE lease_owner = $1 OR lease_owner IS NULL OR lease_until < clock_timestamp()
                      FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [this.instance, this.options.leaseMs],
    ));
    if (this.stopped) return;
    const held = new Set(rows.map((r) => r.id));
    for (const [id, runner] of this.runners) {
      if (held.has(id)) continue;
      runner.holding = false;
      runner.idle.wake();
      runner.retry.wake();
    }
    for (const id of held) if (!this.runners.has(id)) this.launch(id);
  }

  private launch(id: string): void {
    const runner: Runner = { id, holding: true, progress: { cursor: '', auditCursor: '0', delivered: [], dirty: false, since: 0 }, idle: new Pause(), retry: new Pause(), done: Promise.resolve() };
    this.runners.set(id, runner);
    runner.done = this.run(runner)
      // A database error ends the loop; the next tick starts it again from the stored cursor.
      .catch((error: Error) => this.options.logger?.error('webhook delivery stopped; it resumes from its cursor', { webhookId: id, error: error.message }))
      .then(() => void (this.runners.get(id) === runner && this.runners.delete(id)));
  }

  private async run(runner: Runner): Promise<void> {
    try {
      while (runner.holding) {
        const webhook = await this.db.manager.findOne(WebhookEntity, { where: { id: runner.id } });
        if (!webhook) return;
        runner.progress = { cursor: webhook.eventCursor, auditCursor: webhook.auditCursor, delivered: [], dirty: false, since: Date.now() };
        const page = await this.events.history(webhook.eventCursor, { provider: webhook.provider ?? undefined, kinds: webhook.kinds ?? undefined }, BATCH);
        // Audit records in chain order, after the page of events: each stream keeps its own order.
        const records = webhook.audit ? await this.audit.chain.readSealed(webhook.auditCursor, BATCH) : [];
        if (page.length === 0 && records.length === 0) {
          await runner.idle.wait(this.options.leaseMs / 3);
          continue;
        }
        const creator = await this.creator(webhook);
        const steps = [
          ...page.map((event) => ({ message: () => tokenEventMessage(event, this.options.source()), visible: async () => Boolean(creator && (await this.options.visibility(creator.actor, event))), done: () => void (runner.progress.cursor = event.cursor) })),
          // Audit webhooks are the operator's: every record is visible to it.
          ...records.map((record) => ({ message: () => auditMessage(record, this.options.source()), visible: async () => Boolean(creator), done: () => void (runner.progress.auditCursor = record.seq) })),
        ];
        for (const step of steps) {
          if (!runner.holding) return;
          if (await step.visible()) {
            if (!(await this.deliver(runner, webhook, creator!.provider, step.message()))) return;
            // The head's retry state belonged to this message.
            Object.assign(webhook, { attempts: 0, failingSince: null, nextAttemptAt: null, status: 'ACTIVE' });
          }
          step.done();
          runner.progress.dirty = true;
          if (runner.progress.delivered.length >= FLUSH_EVERY || Date.now() - runner.progress.since >= FLUSH_MS) {
            if (!(await this.flush(runner))) return;
          }
        }
        if (!(await this.flush(runner))) return;
      }
    } finally {
      // What was delivered is recorded even when stopping (the lease is released only after this).
      await this.flush(runner).catch(() => undefined);
    }
  }

  /** The creator as an Actor with its grants as they are now; null when it no longer exists. */
  private async creator(webhook: WebhookEntity): Promise<{ actor: Actor; provider: string } | null> {
    const principal = await this.db.manager.findOne(PrincipalEntity, { where: { id: webhook.creatorId, deletedAt: IsNull() } });
    if (!principal) return null;
    const actor = principal.provider === OPERATOR_PROVIDER ? await this.credentials.operator() : await this.credentials.principalActor(principal, { id: `webhook:${webhook.id}`, expiresAt: null });
    return { actor, provider: principal.provider };
  }

  /**
   * Writes the cursor (past delivered and not-visible events) and the delivered attempts in one
   * transaction, while the lease is held. Progress is written every FLUSH_EVERY deliveries or
   * FLUSH_MS, at the end of a page and before a failure is recorded, not after every event: a crash
   * in between only sends those events again, with the same webhook-id (at least once).
   */
  private async flush(runner: Runner): Promise<boolean> {
    const progress = runner.progress;
    if (!progress.dirty) return runner.holding;
    const delivered = progress.delivered.splice(0);
    progress.dirty = false;
    progress.since = Date.now();
    return this.db.transaction(async (tx) => {
      const updated: unknown[] = await tx.manager.query(
        `UPDATE webhook SET event_cursor = $3, audit_cursor = $4, attempts = 0, failing_since = NULL, next_attempt_at = NULL, status = 'ACTIVE',
                last_delivered_at = coalesce($5, last_delivered_at)
          WHERE id = $1 AND lease_owner = $2 RETURNING id`,
        [runner.id, this.instance, progress.cursor, progress.auditCursor, delivered.length ? delivered[delivered.length - 1].attemptedAt : null],
      );
      if (!this.stillHolding(runner, updated)) return false;
      if (delivered.length) await tx.manager.insert(WebhookDeliveryEntity, delivered);
      return true;
    });
  }

  /** Delivers one event, retrying until the receiver takes it; false when this instance stops delivering the webhook. */
  private async deliver(runner: Runner, webhook: WebhookEntity, creatorProvider: string, message: WebhookMessage): Promise<boolean> {
    const secret = this.options.masterKey().decrypt(webhook.secretSealed).toString('utf8');
    const { body, contentType, type } = message;
    let { attempts, failingSince, nextAttemptAt, status } = webhook;
    for (;;) {
      if (nextAttemptAt) await runner.retry.wait(nextAttemptAt.getTime() - this.clock.now().getTime());
      if (!runner.holding) return false;
      const result = await this.withSlot(() =>
        post(webhook.url, { 'content-type': contentType, ...signatureHeaders(secret, message.id, new Date(), body) }, body, {
          allowPrivate: this.options.allowPrivate,
          timeoutMs: this.options.timeoutMs,
          signal: this.aborts.signal,
        }),
      );
      if (result === null || !runner.holding) return false;
      attempts += 1;
      const at = this.clock.now();
      const delivered = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
      this.options.metrics?.webhookAttempt(delivered ? 'delivered' : 'failed');
      const attempt = { webhookId: webhook.id, eventCursor: message.id, eventType: type, attempt: attempts, statusCode: result.statusCode, error: result.error?.slice(0, 500) ?? null, attemptedAt: at };
      if (delivered) {
        runner.progress.delivered.push({ ...attempt, outcome: 'DELIVERED', nextRetryAt: null });
        return true;
      }
      // The cursor up to the event before this one is stored first, then the failure with it.
      if (!(await this.flush(runner))) return false;
      failingSince ??= at;
      nextAttemptAt = new Date(at.getTime() + retryDelay(attempts, this.options.retry));
      const nowFailing = status !== 'FAILING' && at.getTime() - failingSince.getTime() >= this.options.retry.windowMs;
      if (nowFailing) status = 'FAILING';
      const kept = await this.recordFailure(runner, { ...attempt, outcome: 'FAILED', nextRetryAt: nextAttemptAt }, { attempts, failingSince, status }, nowFailing ? webhook.provider ?? creatorProvider : null, webhook);
      if (!kept) return false;
      this.options.logger?.debug('webhook delivery failed', { webhookId: webhook.id, messageId: message.id, attempt: attempts, statusCode: result.statusCode, error: result.error, nextAttemptAt });
      if (nowFailing) this.options.logger?.warn('webhook failing: its receiver has failed for longer than the retry window; retrying goes on', { webhookId: webhook.id, since: failingSince, cursor: runner.progress.cursor });
    }
  }

  /** A failed attempt and the head's retry state in one transaction, while the lease is held; with `failingProvider`, the FAILING event and audit row too. */
  private recordFailure(
    runner: Runner,
    attempt: Omit<WebhookDeliveryEntity, 'id'>,
    state: { attempts: number; failingSince: Date; status: string },
    failingProvider: string | null,
    webhook: WebhookEntity,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const updated: unknown[] = await tx.manager.query(
        `UPDATE webhook SET attempts = $3, failing_since = $4, next_attempt_at = $5, status = $6 WHERE id = $1 AND lease_owner = $2 RETURNING id`,
        [runner.id, this.instance, state.attempts, state.failingSince, attempt.nextRetryAt, state.status],
      );
      if (!this.stillHolding(runner, updated)) return false;
      await tx.manager.insert(WebhookDeliveryEntity, attempt);
      if (failingProvider) {
        const detail = { since: state.failingSince.toISOString(), cursor: runner.progress.cursor };
        await this.audit.record({ actor: null, action: 'webhook.failing', provider: failingProvider, target: webhook.id, outcome: 'failed', origin: 'webhooks', detail }, tx.manager);
        await this.events.append(tx, null, [{ provider: failingProvider, kind: 'WEBHOOK_FAILING', subjectType: 'WEBHOOK', subjectId: webhook.id, serviceAccountId: webhook.creatorId }]);
      }
      return true;
    });
  }

  private stillHolding(runner: Runner, updated: unknown[]): boolean {
    if (rowsOf(updated).length === 0) runner.holding = false;
    return runner.holding;
  }

  /** Runs `work` within the instance's in-flight cap; null when stopping first. */
  private async withSlot<T>(work: () => Promise<T>): Promise<T | null> {
    while (this.inFlight >= this.options.concurrency) {
      if (this.stopped) return null;
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
    if (this.stopped) return null;
    this.inFlight++;
    try {
      return await work();
    } finally {
      this.inFlight--;
      this.slotWaiters.shift()?.();
    }
  }
}

/** UPDATE … RETURNING answers [rows, count] through TypeORM's query(), plain rows elsewhere. */
function rowsOf<T>(result: unknown[]): T[] {
  return (Array.isArray(result[0]) ? result[0] : result) as T[];
}
