// Runs one gateway in this process, with tracing on (`on`: spans to an in-memory exporter) or
// off, sends one GraphQL mutation with secrets in it, and prints what was traced and loaded.
// A separate process because instrumentation patches modules as Node's own loader loads them.
'use strict';
const { join } = require('node:path');

const OPERATOR = 'tracing-operator-token-0123456789';
const PASSWORD = 'Zq7-Harbor-Lantern!';
const dist = join(__dirname, '..', '..', 'dist', 'src');

async function main(mode) {
  let exporter;
  if (mode === 'on') {
    const { InMemorySpanExporter } = require('@opentelemetry/sdk-trace-base');
    exporter = new InMemorySpanExporter();
    await require(join(dist, 'server', 'tracing.js')).startTracing({ exporter });
  }
  require('reflect-metadata');
  const { loadConfig } = require(join(dist, 'config.js'));
  const { Gateway } = require(join(dist, 'server', 'gateway.js'));
  const { MasterKey } = require(join(dist, 'core', 'index.js'));
  const gateway = await Gateway.start({
    config: {
      ...loadConfig({}),
      port: 0,
      host: '127.0.0.1',
      databaseUrl: process.env.DATABASE_URL || undefined,
      dataDir: 'memory://',
      operatorToken: OPERATOR,
      masterKey: MasterKey.generate(),
      expirySweepSeconds: 0,
      logLevel: 'silent',
    },
  });
  const query = `mutation Probe { createServiceAccount(input: { provider: ALATION, user: "probe@example.com", email: "probe@example.com", role: "VIEWER", password: "${PASSWORD}" }) { serviceAccount { id } } }`;
  const response = await fetch(`${gateway.url}/graphql?note=${encodeURIComponent('Bearer ' + OPERATOR)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = await response.text();
  await gateway.stop();
  const spans = exporter
    ? exporter.getFinishedSpans().map((span) => ({
        name: span.name,
        kind: span.kind,
        traceId: span.spanContext().traceId,
        scope: (span.instrumentationScope || span.instrumentationLibrary || {}).name,
        attributes: span.attributes,
        events: span.events,
      }))
    : [];
  // prom-client itself loads the (no-op) @opentelemetry/api for exemplars; the SDK and the
  // instrumentations are what tracing adds.
  const loaded = Object.keys(require.cache).filter((file) => /[\\/]@opentelemetry[\\/](?!api[\\/])/.test(file));
  process.stdout.write(JSON.stringify({ status: response.status, body, spans, loaded: loaded.length, secrets: [OPERATOR, PASSWORD] }) + '\n');
  process.exit(0);
}

main(process.argv[2]).catch((error) => {
  process.stderr.write(String(error && error.stack) + '\n');
  process.exit(1);
});
