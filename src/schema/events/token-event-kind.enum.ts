import { registerEnumType } from 'type-graphql';

/** Every kind of state change the event log carries; `EXPIRING` warns ahead of an expiry. */
export enum TokenEventKind {
  CREATED = 'CREATED',
  REVOKED = 'REVOKED',
  EXPIRED = 'EXPIRED',
  EXPIRING = 'EXPIRING',
  DELETED = 'DELETED',
  PERSONAS_CHANGED = 'PERSONAS_CHANGED',
  PERMISSIONS_CHANGED = 'PERMISSIONS_CHANGED',
  SECRET_CHANGED = 'SECRET_CHANGED',
  /** A webhook has failed for longer than its retry window (subject: the webhook). */
  WEBHOOK_FAILING = 'WEBHOOK_FAILING',
}

registerEnumType(TokenEventKind, { name: 'TokenEventKind', description: 'What happened to a token or service account.' });
