import { Acts, badInput, decodePosition, isAllowed, type Actor, type TokenEvent } from '../../core';
import type { GraphQLContext } from '../context';

export interface StreamFilter {
  provider?: string;
  kinds?: readonly string[];
  serviceAccountId?: string;
}

/** Who may see an event: the operator, the provider's administrators, and the account it concerns. */
export async function maySee(ctx: Pick<GraphQLContext, 'registry'>, actor: Actor, event: TokenEvent): Promise<boolean> {
  if (!ctx.registry.has(event.provider)) return false;
  const provider = ctx.registry.get(event.provider);
  const target = { ownerId: event.serviceAccountId };
  return (await isAllowed(actor, provider, Acts.subscribeEvents, target)) || (await isAllowed(actor, provider, Acts.getServiceAccount, target));
}

/**
 * Visibility classes, so that one decision (and one execution) serves every subscriber alike:
 * actors with the same kind, provider, principal kind, role, permissions and personas see the
 * same events, except the events about themselves, which `self` rules may add. A class is decided
 * for a stand-in that is nobody (no event is about it); a subscriber the event is about is
 * decided on its own. Policies decide event visibility from grants and from whether the actor is
 * the target's owner, never from who else it is.
 */
const classes = new WeakMap<Actor, string>();
const STAND_IN_ID = '';

export function visibilityClass(actor: Actor): string {
  let key = classes.get(actor);
  if (key === undefined) {
    key = JSON.stringify([actor.kind, actor.provider, actor.principalKind, actor.role, [...actor.permissions].sort(), [...actor.personaIds].sort()]);
    classes.set(actor, key);
  }
  return key;
}

/** Whether members of `actor`'s class that the event is not about may see it. */
export function maySeeAsClass(ctx: GraphQLContext, actor: Actor, event: TokenEvent): Promise<boolean> {
  return maySee(ctx, { ...actor, principalId: STAND_IN_ID, credentialId: STAND_IN_ID }, event);
}

export function matches(event: TokenEvent, filter: StreamFilter): boolean {
  if (filter.provider && event.provider !== filter.provider) return false;
  if (filter.kinds?.length && !filter.kinds.includes(event.kind)) return false;
  if (filter.serviceAccountId && event.serviceAccountId !== filter.serviceAccountId) return false;
  return true;
}

export function validateStreamArgs(ctx: GraphQLContext, filter: StreamFilter, after?: string | null): void {
  if (filter.provider) ctx.registry.get(filter.provider);
  if (after != null && decodePosition(after) === null) throw badInput('`after` is a cursor from a previous event.', { field: 'after' });
}

/** What a subscription asked for: an executor that fans out once reads this instead of iterating. */
export interface EventFeed {
  filter: StreamFilter;
  after: string | null;
}

export const EVENT_FEED = Symbol('keygate.eventFeed');

export function feedOf(source: unknown): EventFeed | null {
  return (source as { [EVENT_FEED]?: EventFeed } | null)?.[EVENT_FEED] ?? null;
}

/**
 * The events a subscriber may see, in cursor order: first what it missed after `after` (read from
 * the log), then live. Live events are buffered from before the replay starts and delivered only
 * past the last replayed cursor, so nothing is skipped and nothing arrives twice.
 */
export function eventStream(ctx: GraphQLContext, filter: StreamFilter, after?: string | null): AsyncIterableIterator<TokenEvent> & { [EVENT_FEED]: EventFeed } {
  const queue: TokenEvent[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  let delivered = -1n;
  let replay: TokenEvent[] = [];
  let replaying = after != null;
  let replayCursor = after ?? '0';
  // Listens from the first `next()`: an executor that fans out once never iterates this.
  let unsubscribe: (() => void) | null = null;
  const listen = () =>
    (unsubscribe ??= ctx.core.events.subscribe((event) => {
      queue.push(event);
      wake?.();
    }));
  const finish = () => {
    done = true;
    unsubscribe?.();
    wake?.();
  };

  const nextCandidate = async (): Promise<TokenEvent | null> => {
    while (!done) {
      if (replaying) {
        if (replay.length === 0) {
          replay = await ctx.core.events.history(replayCursor, { provider: filter.provider, kinds: filter.kinds });
          if (replay.length === 0) {
            replaying = false;
            continue;
          }
          replayCursor = replay[replay.length - 1].cursor;
        }
        return replay.shift()!;
      }
      const event = queue.shift();
      if (event) return event;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
    return null;
  };

  return {
    [EVENT_FEED]: { filter, after: after ?? null },
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<TokenEvent>> {
      if (!done) listen();
      for (;;) {
        const event = await nextCandidate();
        if (!event) return { value: undefined, done: true };
        const cursor = BigInt(event.cursor);
        if (cursor <= delivered) continue;
        delivered = cursor;
        // Decided with the subscriber's grants as they are now (the WebSocket edge keeps them current).
        if (ctx.actor && matches(event, filter) && (await maySee(ctx, ctx.actor, event))) return { value: event, done: false };
      }
    },
    async return(): Promise<IteratorResult<TokenEvent>> {
      finish();
      return { value: undefined, done: true };
    },
  };
}
