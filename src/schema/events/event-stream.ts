import { Acts, badInput, isAllowed, parseBigintId, TOKEN_EVENT_KINDS, type Actor, type TokenEvent } from '../../core';
import type { GraphQLContext } from '../context';

export interface StreamFilter {
  provider?: string;
  kinds?: readonly string[];
  serviceAccountId?: string;
}

/** Who may see an event: the operator, the provider's administrators, and the account it concerns. */
async function maySee(ctx: GraphQLContext, actor: Actor, event: TokenEvent): Promise<boolean> {
  if (!ctx.registry.has(event.provider)) return false;
  const provider = ctx.registry.get(event.provider);
  const target = { ownerId: event.serviceAccountId };
  return (await isAllowed(actor, provider, Acts.subscribeEvents, target)) || (await isAllowed(actor, provider, Acts.getServiceAccount, target));
}

function matches(event: TokenEvent, filter: StreamFilter): boolean {
  if (filter.provider && event.provider !== filter.provider) return false;
  if (filter.kinds?.length && !filter.kinds.includes(event.kind)) return false;
  if (filter.serviceAccountId && event.serviceAccountId !== filter.serviceAccountId) return false;
  return true;
}

export function validateStreamArgs(ctx: GraphQLContext, filter: StreamFilter, after?: string | null): void {
  if (filter.provider) ctx.registry.get(filter.provider);
  const unknown = (filter.kinds ?? []).filter((k) => !TOKEN_EVENT_KINDS.includes(k as never));
  if (unknown.length) throw badInput(`Unknown event kind(s): ${unknown.join(', ')}. Known: ${TOKEN_EVENT_KINDS.join(', ')}.`, { field: 'kinds' });
  if (after != null && parseBigintId(after) === null) throw badInput('`after` is a cursor from a previous event.', { field: 'after' });
}

/**
 * The events a subscriber may see, in cursor order: first what it missed after `after` (read from
 * the log), then live. Live events are buffered from before the replay starts and delivered only
 * past the last replayed cursor, so nothing is skipped and nothing arrives twice.
 */
export function eventStream(ctx: GraphQLContext, filter: StreamFilter, after?: string | null): AsyncIterableIterator<TokenEvent> {
  const queue: TokenEvent[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  let delivered = -1n;
  let replay: TokenEvent[] = [];
  let replaying = after != null;
  let replayCursor = after ?? '0';
  const unsubscribe = ctx.core.events.subscribe((event) => {
    queue.push(event);
    wake?.();
  });
  const finish = () => {
    done = true;
    unsubscribe();
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
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<TokenEvent>> {
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
