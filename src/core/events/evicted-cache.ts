import type { Clock } from '../clock';
import { informational, type EventService, type NewTokenEvent } from './event.service';

const TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;


/**
 * Answers of hot lookups (a token's row by `jti`), kept while the event stream is live and
 * forgotten the moment an event concerns one of their subjects (the token, its owner): on this
 * instance at commit, on the others within NOTIFY delivery. A lookup that raced an evicting event
 * answers its request but is not kept. While the stream is not live, nothing is kept or served.
 */
export class EvictedCache<V> {
  private readonly entries = new Map<string, { value: V; subjects: readonly string[]; cachedAt: number }>();
  /** The keys kept under each subject id: an event evicts in time proportional to what it concerns. */
  private readonly bySubject = new Map<string, Set<string>>();
  private evictions = 0;

  constructor(
    private readonly events: EventService,
    private readonly clock: Clock,
  ) {
    const forget = (list: readonly NewTokenEvent[]) => {
      for (const event of list) if (!informational(event.kind)) this.forget(event.subjectId, event.serviceAccountId);
    };
    events.onCommitted(forget);
    events.subscribe((event) => forget([event]));
  }

  /** Drops every answer about these ids (an event, or a local write no event announces). */
  forget(...subjects: string[]): void {
    this.evictions++;
    for (const id of subjects) for (const key of this.bySubject.get(id) ?? []) this.delete(key);
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const id of entry.subjects) {
      const keys = this.bySubject.get(id);
      keys?.delete(key);
      if (keys?.size === 0) this.bySubject.delete(id);
    }
  }

  /**
   * The kept answer for `key`, else `load`'s (kept, when not null, under the ids `subjects` names).
   * `usable` is asked of a kept answer before it is served (a credential that has expired since);
   * `keep` of a loaded one before it is kept.
   */
  async get(
    key: string,
    load: () => Promise<V | null>,
    subjects: (value: V) => readonly string[],
    options: { usable?: (value: V) => boolean; keep?: (value: V) => boolean } = {},
  ): Promise<V | null> {
    const now = this.clock.now().getTime();
    const kept = this.entries.get(key);
    if (kept && now - kept.cachedAt < TTL_MS && this.events.live && (options.usable?.(kept.value) ?? true)) return kept.value;
    if (kept) this.delete(key);
    const generation = this.evictions;
    const value = await load();
    // A change that committed while `load` ran may already have been evicted for: the answer is
    // still good for this call, but not for keeping.
    if (value !== null && this.events.live && generation === this.evictions && (options.keep?.(value) ?? true)) {
      this.delete(key);
      if (this.entries.size >= MAX_ENTRIES) this.delete(this.entries.keys().next().value!);
      const ids = subjects(value);
      this.entries.set(key, { value, subjects: ids, cachedAt: now });
      for (const id of ids) {
        const keys = this.bySubject.get(id);
        if (keys) keys.add(key);
        else this.bySubject.set(id, new Set([key]));
      }
    }
    return value;
  }
}
