import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/database';

jest.setTimeout(180_000);

const PROBE = join(__dirname, '..', 'support', 'tracing-probe.js');

interface Probe {
  status: number;
  body: string;
  spans: { name: string; kind: number; traceId: string; scope: string; attributes: Record<string, unknown>; events: unknown[] }[];
  loaded: number;
  secrets: string[];
}

function probe(mode: 'on' | 'off', databaseUrl?: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PROBE, mode], { env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: databaseUrl ?? '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`probe exited ${code}: ${err}`))));
  });
}

let database: TestDatabase;
beforeAll(async () => (database = await createTestDatabase()));
afterAll(() => database.drop());

test('one GraphQL request yields one trace with HTTP, GraphQL and SQL spans, and no secret in any attribute', async () => {
  const result = await probe('on', database.url);
  expect(result.status).toBe(200);
  expect(result.body).toContain('"serviceAccount"');
  const request = result.spans.find((s) => s.scope === '@opentelemetry/instrumentation-http' && s.kind === 1 /* SERVER */ && String(s.attributes['http.target'] ?? s.attributes['url.path'] ?? '').startsWith('/graphql'));
  expect(request).toBeDefined();
  const trace = result.spans.filter((s) => s.traceId === request!.traceId);
  const names = trace.map((s) => s.name);
  expect(names).toEqual(expect.arrayContaining(['graphql.parse', 'graphql.validate']));
  expect(names.some((n) => n.startsWith('mutation'))).toBe(true);
  // Old and stable database semantic conventions both count.
  const sql = trace.filter((s) => (s.attributes['db.system'] ?? s.attributes['db.system.name']) === 'postgresql' && typeof (s.attributes['db.statement'] ?? s.attributes['db.query.text']) === 'string');
  expect({ sql: sql.length > 0, names }).toEqual({ sql: true, names });
  expect(trace.some((s) => s.scope === '@opentelemetry/instrumentation-express')).toBe(true);
  const everything = JSON.stringify(result.spans);
  for (const secret of result.secrets) expect(everything).not.toContain(secret);
  // The query text is kept, its secret is not.
  expect(everything).toContain('createServiceAccount');
});

test('without OTEL_EXPORTER_OTLP_ENDPOINT no OpenTelemetry SDK or instrumentation is loaded', async () => {
  const result = await probe('off', database.url);
  expect(result.status).toBe(200);
  expect(result.loaded).toBe(0);
});
