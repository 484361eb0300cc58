import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CloudEvent, HTTP } from 'cloudevents';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { AuditRecord } from '../audit';
import type { TokenEvent } from '../events';
import { guardedLookup, refusedLiteral } from './destination';

/** `dev.keygate.token.<kind in lower case>`, as shared/API.md names them. */
export function eventType(event: TokenEvent): string {
  return `dev.keygate.token.${event.kind.toLowerCase()}`;
}

/** One event as a CloudEvents 1.0 structured JSON body; `id` is the event's cursor. */
export function cloudEventBody(event: TokenEvent, source: string): { body: string; contentType: string } {
  const message = HTTP.structured(
    new CloudEvent({
      specversion: '1.0',
      id: event.cursor,
      source,
      type: eventType(event),
      subject: event.subjectId,
      time: event.at.toISOString(),
      datacontenttype: 'application/json',
      data: {
        cursor: event.cursor,
        provider: event.provider,
        kind: event.kind,
        subjectType: event.subjectType,
        subjectId: event.subjectId,
        serviceAccountId: event.serviceAccountId,
        actor: event.actor,
        at: event.at.toISOString(),
        // Which warning an EXPIRING event is (7d or 1d): the receiver cannot tell otherwise.
        ...(event.horizonSeconds != null ? { horizonSeconds: event.horizonSeconds } : {}),
      },
    }),
  );
  return { body: String(message.body), contentType: String(message.headers['content-type']) };
}

/** What one delivery sends: `id` is the CloudEvents id and the webhook-id. */
export interface WebhookMessage {
  id: string;
  type: string;
  body: string;
  contentType: string;
}

export const AUDIT_EVENT_TYPE = 'dev.keygate.audit';

/** A token event as a message: its id is the event's cursor. */
export function tokenEventMessage(event: TokenEvent, source: string): WebhookMessage {
  return { id: event.cursor, type: eventType(event), ...cloudEventBody(event, source) };
}

/**
 * A sealed audit record as a message (`dev.keygate.audit`), its chain fields included so that a
 * SIEM can check the chain itself. Its id is `audit-<seq>`: chain positions and event cursors are
 * separate sequences, and a receiver deduplicates by id.
 */
export function auditMessage(record: AuditRecord, source: string): WebhookMessage {
  const id = `audit-${record.seq}`;
  const message = HTTP.structured(
    new CloudEvent({ specversion: '1.0', id, source, type: AUDIT_EVENT_TYPE, subject: record.target ?? undefined, time: record.at, datacontenttype: 'application/json', data: { ...record } }),
  );
  return { id, type: AUDIT_EVENT_TYPE, body: String(message.body), contentType: String(message.headers['content-type']) };
}

/** The Standard Webhooks headers for one body: `webhook-id` stays the same on every retry. */
export function signatureHeaders(secret: string, messageId: string, at: Date, body: string): Record<string, string> {
  // Standard Webhooks timestamps are whole seconds; signing and header must use the same one.
  const timestamp = new Date(Math.floor(at.getTime() / 1000) * 1000);
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp.getTime() / 1000),
    'webhook-signature': new StandardWebhook(secret).sign(messageId, timestamp, body),
  };
}

export interface PostResult {
  statusCode: number | null;
  error: string | null;
}

/**
 * POSTs once, without following redirects, through the SSRF-guarded lookup. Any 2xx is delivered;
 * anything else (other status, refused address, timeout, reset) is a failed attempt.
 */
export function post(url: string, headers: Record<string, string>, body: string, options: { allowPrivate: boolean; timeoutMs: number; signal?: AbortSignal }): Promise<PostResult> {
  const target = new URL(url);
  const refused = refusedLiteral(target, options.allowPrivate);
  if (refused) return Promise.resolve({ statusCode: null, error: `refused: ${refused}` });
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const req = request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body), 'user-agent': 'keygate-webhooks' },
        lookup: guardedLookup(options.allowPrivate),
        timeout: options.timeoutMs,
        signal: options.signal,
      },
      (res) => {
        // The body is not needed; read it so that the connection is released.
        res.resume();
        res.on('end', () => finish({ statusCode: res.statusCode ?? null, error: null }));
        res.on('error', () => finish({ statusCode: res.statusCode ?? null, error: null }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no response within ${options.timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => finish({ statusCode: null, error: (error.code && error.code !== 'ERR_UNHANDLED_ERROR' ? `${error.code}: ` : '') + error.message.slice(0, 400) }));
    req.end(body);
  });
}
