/* eslint-disable @typescript-eslint/no-require-imports */
import type { NodeSDK } from '@opentelemetry/sdk-node';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];

/**
 * OpenTelemetry tracing, on only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: the CLI loads this
 * module then, before http, express, graphql and pg load, and nothing of OpenTelemetry otherwise.
 * Spans: HTTP server, Express, GraphQL (parse, validate, execute) and SQL, for PostgreSQL through
 * the pg instrumentation and for the embedded database through its pool's hook. Every string
 * attribute passes the log redaction before export, so a secret in a query text never leaves.
 */
let sdk: NodeSDK | undefined;

export interface TracingOptions {
  /** Tests: spans go here (synchronously) instead of to the OTLP endpoint. */
  exporter?: SpanExporter;
}

export async function startTracing(options: TracingOptions = {}): Promise<void> {
  if (sdk) return;
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { BatchSpanProcessor, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
  const { GraphQLInstrumentation } = require('@opentelemetry/instrumentation-graphql') as typeof import('@opentelemetry/instrumentation-graphql');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');

  let processor;
  if (options.exporter) processor = new SimpleSpanProcessor(new RedactingExporter(options.exporter));
  else {
    const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '';
    if (!/^https?:\/\/[^\s]+$/.test(endpoint)) return; // the configuration check names the variable
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    processor = new BatchSpanProcessor(new RedactingExporter(new OTLPTraceExporter()));
  }
  sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME || 'keygate',
    spanProcessors: [processor],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' }),
      new ExpressInstrumentation(),
      new GraphQLInstrumentation({ mergeItems: true, ignoreTrivialResolveSpans: true, allowValues: false }),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  sdk.start();
  traceEmbeddedDatabase();
}

export async function stopTracing(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}

/** Spans for statements on the embedded database, shaped like the pg instrumentation's. */
function traceEmbeddedDatabase(): void {
  const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const { embeddedQueryHooks } = require('../core/database/pglite-pool') as typeof import('../core/database/pglite-pool');
  const tracer = api.trace.getTracer('keygate-embedded-database');
  embeddedQueryHooks.wrap = (sql, run) => {
    const command = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'QUERY';
    return tracer.startActiveSpan(`pg.query:${command}`, { kind: api.SpanKind.CLIENT, attributes: { 'db.system': 'postgresql', 'db.name': 'embedded', 'db.statement': sql } }, async (span) => {
      try {
        return await run();
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: api.SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    });
  };
}

/** Passes every span's name, attributes and event attributes through the log redaction. */
export class RedactingExporter implements SpanExporter {
  private readonly redact: (text: string) => string;

  constructor(private readonly inner: SpanExporter) {
    this.redact = (require('./logger') as typeof import('./logger')).redact;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans.map((span) => this.clean(span)), done);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  private clean(span: ReadableSpan): ReadableSpan {
    const attributes = (input: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(input).map(([key, value]) => [key, typeof value === 'string' ? this.redact(value) : Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? this.redact(v) : v)) : value]));
    return Object.create(span, {
      name: { value: this.redact(span.name), enumerable: true },
      attributes: { value: attributes(span.attributes), enumerable: true },
      events: { value: span.events.map((event) => ({ ...event, attributes: event.attributes ? attributes(event.attributes) : event.attributes })), enumerable: true },
    }) as ReadableSpan;
  }
}
