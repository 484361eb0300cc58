import { hostname } from 'node:os';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CoreMetrics, Database } from '../core';
import { currentScope } from './request-scope';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LAG_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The gateway's Prometheus metrics, one registry per gateway (several run in one test process).
 * Labels are bounded: route templates and operation names, never raw paths or ids.
 */
export class GatewayMetrics implements CoreMetrics {
  readonly registry = new Registry();
  readonly instance = `${hostname()}:${process.pid}`;
  readonly httpRequests = new Counter({ name: 'keygate_http_requests_total', help: 'HTTP requests by route template, method and status.', labelNames: ['route', 'method', 'status'], registers: [this.registry] });
  readonly httpDuration = new Histogram({ name: 'keygate_http_request_duration_seconds', help: 'HTTP request duration by route template and method.', labelNames: ['route', 'method'], buckets: DURATION_BUCKETS, registers: [this.registry] });
  readonly httpInFlight = new Gauge({ name: 'keygate_http_requests_in_flight', help: 'HTTP requests being served now.', registers: [this.registry] });
  readonly graphqlOperations = new Counter({ name: 'keygate_graphql_operations_total', help: 'GraphQL operations by name, type and outcome (ok or the first error code).', labelNames: ['operation', 'type', 'outcome'], registers: [this.registry] });
  readonly graphqlDuration = new Histogram({ name: 'keygate_graphql_operation_duration_seconds', help: 'GraphQL operation duration by name and type.', labelNames: ['operation', 'type'], buckets: DURATION_BUCKETS, registers: [this.registry] });
  readonly tokensIssued = new Counter({ name: 'keygate_tokens_issued_total', help: 'Tokens issued (committed) by provider and kind (refresh or access).', labelNames: ['provider', 'kind'], registers: [this.registry] });
  readonly authFailures = new Counter({ name: 'keygate_auth_failures_total', help: 'Requests whose authentication failed, by face (graphql, rest, ws).', labelNames: ['face'], registers: [this.registry] });
  readonly eventsAppended = new Counter({ name: 'keygate_events_appended_total', help: 'Token events this instance committed, by kind.', labelNames: ['kind'], registers: [this.registry] });
  readonly eventLag = new Histogram({ name: 'keygate_event_delivery_lag_seconds', help: 'Time from an event being written to its delivery to this instance’s listeners.', buckets: LAG_BUCKETS, registers: [this.registry] });
  readonly webhookAttempts = new Counter({ name: 'keygate_webhook_deliveries_total', help: 'Webhook delivery attempts by outcome (delivered or failed).', labelNames: ['outcome'], registers: [this.registry] });
  readonly credentialLookups = new Counter({ name: 'keygate_credential_cache_lookups_total', help: 'Credential lookups answered by the per-instance cache (hit) or the database (miss).', labelNames: ['result'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: '' });
  }

  /** Gauges read when scraped: open WebSocket connections, database pool use. */
  observe(sources: { subscriptions: () => number; db: Database }): void {
    const { registry, instance } = this;
    new Gauge({ name: 'keygate_subscriptions', help: 'Open graphql-ws connections on this instance.', labelNames: ['instance'], registers: [registry], collect() {
      this.set({ instance }, sources.subscriptions());
    } });
    new Gauge({ name: 'keygate_db_pool_connections', help: 'Database pool connections by state (total, idle, waiting).', labelNames: ['state'], registers: [registry], collect() {
      const pool = (sources.db.dataSource.driver as unknown as { master?: { totalCount?: number; idleCount?: number; waitingCount?: number } }).master;
      if (!pool) return;
      if (pool.totalCount !== undefined) this.set({ state: 'total' }, pool.totalCount);
      if (pool.idleCount !== undefined) this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount ?? 0);
    } });
  }

  tokenIssued(provider: string, kind: string): void {
    this.tokensIssued.inc({ provider, kind });
  }
  eventAppended(kind: string): void {
    this.eventsAppended.inc({ kind });
  }
  eventDelivered(lagSeconds: number): void {
    this.eventLag.observe(lagSeconds);
  }
  credentialLookup(result: 'hit' | 'miss'): void {
    this.credentialLookups.inc({ result });
  }
  webhookAttempt(outcome: 'delivered' | 'failed'): void {
    this.webhookAttempts.inc({ outcome });
  }
  authFailure(): void {
    const scope = currentScope();
    if (scope?.authFailed) return;
    if (scope) scope.authFailed = true;
    // Every HTTP request runs in a scope; a WebSocket's connection_init is the one check outside one.
    this.authFailures.inc({ face: scope?.face ?? 'ws' });
  }
}
