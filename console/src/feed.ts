import { useSyncExternalStore } from 'react';
import type { Client } from 'urql';
import { TokenEventsDocument, type TokenEventsSubscription } from './generated/graphql';

export type FeedEvent = TokenEventsSubscription['tokenEvents'];
export type FeedState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

const KEEP = 500;

/**
 * The live `tokenEvents` feed of one session. After a dropped connection it subscribes again from
 * the last cursor it received, so the server replays what was missed: no gap; a cursor already
 * seen is dropped, so no duplicate. Any event kind is shown, including ones added later.
 */
export class EventFeed {
  events: FeedEvent[] = [];
  state: FeedState = 'connecting';
  cursor: string | null = null;
  reconnects = 0;
  private listeners = new Set<() => void>();
  private eventListeners = new Set<(event: FeedEvent) => void>();
  private unsubscribe: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private attempt = 0;
  private snapshot = { events: this.events, state: this.state, reconnects: 0 };

  constructor(private readonly client: Client) {}

  start(): void {
    this.stopped = false;
    this.run();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.setState('stopped');
  }

  /** The socket closed: retry from the last cursor with backoff, unless the credential is gone. */
  connectionLost(credentialGone: boolean): void {
    if (this.stopped) return;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (credentialGone) return this.stop();
    this.setState('reconnecting');
    this.schedule();
  }

  onEvent(listener: (event: FeedEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.snapshot;

  private run(): void {
    if (this.stopped || this.unsubscribe) return;
    this.timer = null;
    const { unsubscribe } = this.client.subscription(TokenEventsDocument, { after: this.cursor }).subscribe((result) => {
      if (result.error) return this.connectionLost(false);
      const event = result.data?.tokenEvents;
      if (!event) return;
      this.attempt = 0;
      this.setState('live');
      if (this.cursor !== null && BigInt(event.cursor) <= BigInt(this.cursor)) return;
      this.cursor = event.cursor;
      this.events = [event, ...this.events].slice(0, KEEP);
      this.emit();
      for (const listener of this.eventListeners) listener(event);
    });
    this.unsubscribe = unsubscribe;
  }

  /** Called once the socket is up (graphql-ws `connected`). */
  connected(): void {
    this.attempt = 0;
    if (this.state !== 'live') {
      if (this.state === 'reconnecting') this.reconnects++;
      this.setState('live');
    }
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    const delay = Math.min(500 * 2 ** this.attempt++, 8000);
    this.timer = setTimeout(() => this.run(), delay);
  }

  private setState(state: FeedState): void {
    this.state = state;
    this.emit();
  }

  private emit(): void {
    this.snapshot = { events: this.events, state: this.state, reconnects: this.reconnects };
    for (const listener of this.listeners) listener();
  }
}

export function useFeed(feed: EventFeed) {
  return useSyncExternalStore(feed.subscribe, feed.getSnapshot);
}
