import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { execute, type ExecutionArgs, type ExecutionResult, type GraphQLError } from 'graphql';
import type { WebSocket } from 'ws';
import type { CoreServices, TokenEvent } from '../core';
import type { GraphQLContext } from '../schema/context';
import { matches, maySee, maySeeAsClass, visibilityClass, type EventFeed } from '../schema/events/event-stream';

/** Sockets written per turn of the event loop: other requests (the revoking one too) go between. */
const SOCKETS_PER_BATCH = 256;

export interface FanOutTarget {
  /** The graphql-ws subscription id the client chose. */
  id: string;
  socket: WebSocket;
  /** Same document, operation name and variables: same selection and same filter. */
  operationKey: string;
  args: ExecutionArgs & { contextValue: GraphQLContext };
  feed: EventFeed;
}

interface Subscriber extends FanOutTarget {
  /** Newest cursor delivered, as a number (cursors grow along the log). */
  delivered: bigint;
  /** Events that arrived while the subscriber replays the log; null once it is live. */
  backlog: TokenEvent[] | null;
  end: () => void;
}

type Mask = (errors: readonly GraphQLError[]) => unknown[];

/**
 * Live events to every event subscription of this instance, each event handled once: the
 * subscribers are grouped by operation and visibility class, each group's document is executed
 * once and its payload serialized once, and the frame is written to every socket of the group in
 * batches that yield to the event loop. Events go out strictly in log order. A subscriber with
 * `after` first replays the log on its own (executing for itself), then joins live.
 */
export class EventFanOut {
  private readonly subscribers = new Set<Subscriber>();
  private readonly queue: TokenEvent[] = [];
  private draining = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly core: CoreServices,
    private readonly mask: Mask,
  ) {
    this.unsubscribe = core.events.subscribe((event) => {
      this.queue.push(event);
      if (!this.draining) void this.drain();
    });
  }

  /** Open event subscriptions on this instance (the metric of that name reads this). */
  get size(): number {
    return this.subscribers.size;
  }

  /** Registers a subscription; the iterator it returns (for graphql-ws) ends when the subscription does. */
  add(target: FanOutTarget): AsyncIterableIterator<ExecutionResult> {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const subscriber: Subscriber = { ...target, delivered: -1n, backlog: target.feed.after === null ? null : [], end };
    this.subscribers.add(subscriber);
    if (subscriber.backlog) void this.replay(subscriber);
    const remove = () => {
      this.subscribers.delete(subscriber);
      end();
    };
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      // Frames are written by the fan-out itself; graphql-ws only learns when it is over.
      next: () => ended.then(() => ({ done: true as const, value: undefined })),
      return: async () => (remove(), { done: true as const, value: undefined }),
    };
  }

  stop(): void {
    this.unsubscribe();
    for (const subscriber of this.subscribers) subscriber.end();
    this.subscribers.clear();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let event = this.queue.shift(); event; event = this.queue.shift()) {
        try {
          await this.dispatch(event);
        } catch {
          // One event's failure (a policy check that threw) must not stop the ones after it.
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async dispatch(event: TokenEvent): Promise<void> {
    const cursor = BigInt(event.cursor);
    // Who is a candidate, grouped by operation and class; replaying subscribers keep it for later.
    const groups = new Map<string, Subscriber[]>();
    const classes = new Map<string, Subscriber>();
    for (const subscriber of this.subscribers) {
      if (subscriber.backlog) {
        subscriber.backlog.push(event);
        continue;
      }
      if (cursor <= subscriber.delivered || !matches(event, subscriber.feed.filter)) continue;
      const actor = subscriber.args.contextValue.actor;
      if (!actor) continue;
      const visibility = visibilityClass(actor);
      if (!classes.has(visibility)) classes.set(visibility, subscriber);
      const key = `${visibility}\n${subscriber.operationKey}`;
      const group = groups.get(key);
      if (group) group.push(subscriber);
      else groups.set(key, [subscriber]);
    }
    if (groups.size === 0) return;
    const decided = new Map<string, boolean>();
    await Promise.all(
      [...classes].map(async ([visibility, representative]) =>
        decided.set(visibility, await maySeeAsClass(representative.args.contextValue, representative.args.contextValue.actor!, event)),
      ),
    );

    const sends: { subscriber: Subscriber; payload: string }[] = [];
    for (const [key, members] of groups) {
      const visible = decided.get(key.slice(0, key.indexOf('\n')))!;
      if (visible) {
        const payload = await this.payload(members[0], event);
        for (const subscriber of members) sends.push({ subscriber, payload });
        continue;
      }
      // The class may not see it; the account the event is about may, by a `self` rule.
      for (const subscriber of members) {
        const ctx = subscriber.args.contextValue;
        if (ctx.actor?.principalId === event.serviceAccountId && (await maySee(ctx, ctx.actor, event))) sends.push({ subscriber, payload: await this.payload(subscriber, event) });
      }
    }
    for (let start = 0; start < sends.length; start += SOCKETS_PER_BATCH) {
      // Yield first as well: responses already on their way (the revoking one) go before the frames.
      await yieldToEventLoop();
      for (const { subscriber, payload } of sends.slice(start, start + SOCKETS_PER_BATCH)) this.write(subscriber, cursor, payload);
    }
  }

  /** The subscription's document executed for one event, masked and serialized. */
  private async payload(subscriber: Subscriber, event: TokenEvent): Promise<string> {
    const result = (await execute({ ...subscriber.args, rootValue: event })) as ExecutionResult;
    return JSON.stringify(result.errors ? { ...result, errors: this.mask(result.errors) } : result);
  }

  private write(subscriber: Subscriber, cursor: bigint, payload: string): void {
    if (!this.subscribers.has(subscriber) || cursor <= subscriber.delivered) return;
    subscriber.delivered = cursor;
    const { socket } = subscriber;
    if (socket.readyState === socket.OPEN) socket.send(`{"id":${JSON.stringify(subscriber.id)},"type":"next","payload":${payload}}`);
  }

  /** Past the subscriber's `after`: the log, then what arrived meanwhile, then live. */
  private async replay(subscriber: Subscriber): Promise<void> {
    const { filter } = subscriber.feed;
    const deliver = async (event: TokenEvent) => {
      const ctx = subscriber.args.contextValue;
      const cursor = BigInt(event.cursor);
      if (cursor <= subscriber.delivered || !ctx.actor || !matches(event, filter) || !(await maySee(ctx, ctx.actor, event))) return;
      this.write(subscriber, cursor, await this.payload(subscriber, event));
    };
    try {
      let after = subscriber.feed.after!;
      for (;;) {
        const page = await this.core.events.history(after, { provider: filter.provider, kinds: filter.kinds });
        if (page.length === 0 || !this.subscribers.has(subscriber)) break;
        for (const event of page) await deliver(event);
        after = page[page.length - 1].cursor;
      }
      while (subscriber.backlog!.length && this.subscribers.has(subscriber)) await deliver(subscriber.backlog!.shift()!);
    } catch {
      // The log could not be read: end the subscription rather than leave a gap.
      this.subscribers.delete(subscriber);
      subscriber.end();
      return;
    }
    // No await since the backlog emptied: from here the fan-out delivers in order.
    subscriber.backlog = null;
  }
}
