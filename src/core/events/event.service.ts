import { EventEmitter } from 'node:events';
import { TokenEventEntity } from '../../entities';
import type { Clock } from '../clock';
import type { Transaction } from '../database';
import { actorLabel, type Actor } from '../credentials/actor';

export type TokenEventKind = 'CREATED' | 'REVOKED' | 'EXPIRED' | 'DELETED' | 'PERSONAS_CHANGED' | 'PERMISSIONS_CHANGED';
export type EventSubjectType = 'SERVICE_ACCOUNT' | 'REFRESH_TOKEN' | 'ACCESS_TOKEN';

export interface TokenEvent {
  cursor: string;
  provider: string;
  kind: TokenEventKind;
  subjectType: EventSubjectType;
  subjectId: string;
  serviceAccountId: string;
  actor: string;
  at: Date;
}

export interface NewTokenEvent {
  provider: string;
  kind: TokenEventKind;
  subjectType: EventSubjectType;
  subjectId: string;
  serviceAccountId: string;
}

/**
 * Writes state-change events in the change's own transaction and, once it commits, wakes
 * in-process listeners. The table is the truth; the emitter is only the wake-up.
 */
export class EventService {
  private readonly emitter = new EventEmitter();

  constructor(private readonly clock: Clock) {
    this.emitter.setMaxListeners(0);
  }

  async append(tx: Transaction, actor: Actor | null | undefined, events: NewTokenEvent[]): Promise<void> {
    if (events.length === 0) return;
    const at = this.clock.now();
    const rows = events.map((e) => ({ ...e, actor: actorLabel(actor), at }));
    const result = await tx.manager.insert(TokenEventEntity, rows);
    const saved: TokenEvent[] = rows.map((row, i) => ({ ...row, cursor: String(result.identifiers[i].cursor) }));
    tx.afterCommit(() => {
      for (const event of saved) this.emitter.emit('event', event);
    });
  }

  subscribe(listener: (event: TokenEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
