import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, VARIABLES } from '../src/config';
import { runCli } from './support/process';

jest.setTimeout(240_000);

let folder: string;
beforeAll(() => (folder = mkdtempSync(join(tmpdir(), 'keygate-config-'))));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.variables;
  }
};

describe('loadConfig', () => {
  test('defaults, as the README says', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      dataDir: join('.keygate', 'data'),
      lifespans: {},
      maxBodyBytes: 1048576,
      authFailuresPerMinute: 60,
      expirySweepSeconds: 30,
      logLevel: 'info',
      publicUrl: undefined,
      trustProxy: [],
      managementPort: undefined,
      shutdownGraceSeconds: 10,
      expiryWarnings: [7 * 86400, 86400],
      webhookAllowPrivate: false,
      webhookConcurrency: 8,
      otlpEndpoint: undefined,
    });
  });

  test('good values are parsed into what the other parts use', () => {
    const config = loadConfig({
      PORT: '8080',
      KEYGATE_PUBLIC_URL: 'https://keygate.example.com/base/',
      KEYGATE_TRUST_PROXY: 'loopback, 10.0.0.0/8,::1,fd00::/8',
      KEYGATE_EXPIRY_WARNINGS: '1d,7d,12h,1d',
      KEYGATE_WEBHOOK_ALLOW_PRIVATE: 'true',
      KEYGATE_WEBHOOK_CONCURRENCY: '32',
      KEYGATE_SHUTDOWN_GRACE_SECONDS: '2.5',
      KEYGATE_MANAGEMENT_PORT: '9464',
      KEYGATE_LIFESPANS: '{"alation":{"refresh":86400,"access":null},"atlan":{"bearer":600}}',
      DATABASE_URL: 'postgresql://app:pw@db.internal:5432/keygate',
      KEYGATE_MASTER_KEY: Buffer.alloc(32, 7).toString('hex'),
    });
    expect(config).toMatchObject({
      port: 8080,
      publicUrl: 'https://keygate.example.com/base',
      trustProxy: ['loopback', '10.0.0.0/8', '::1', 'fd00::/8'],
      expiryWarnings: [604800, 86400, 43200],
      webhookAllowPrivate: true,
      webhookConcurrency: 32,
      shutdownGraceSeconds: 2.5,
      managementPort: 9464,
      lifespans: { alation: { refresh: 86400, access: null }, atlan: { bearer: 600 } },
    });
    expect(loadConfig({ KEYGATE_EXPIRY_WARNINGS: 'off' }).expiryWarnings).toEqual([]);
  });

  test('cross-checks: a master key with DATABASE_URL (providers sign tokens), lifespans for known providers and kinds, distinct ports', () => {
    expect(problemsOf({ DATABASE_URL: 'postgres://localhost/keygate' })).toEqual(['KEYGATE_MASTER_KEY']);
    expect(problemsOf({ KEYGATE_LIFESPANS: '{"nope":{"refresh":1}}' })).toEqual(['KEYGATE_LIFESPANS']);
    expect(problemsOf({ KEYGATE_LIFESPANS: '{"talend":{"refresh":1}}' })).toEqual(['KEYGATE_LIFESPANS']);
    expect(problemsOf({ PORT: '4100', KEYGATE_MANAGEMENT_PORT: '4100' })).toEqual(['KEYGATE_MANAGEMENT_PORT']);
    // Every problem at once.
    expect(problemsOf({ PORT: 'x', KEYGATE_LOG_LEVEL: 'loud', KEYGATE_MASTER_KEY: 'short' })).toEqual(['PORT', 'KEYGATE_MASTER_KEY', 'KEYGATE_LOG_LEVEL']);
  });

  test("the README's configuration table lists exactly the variables keygate reads", () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
    const documented = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.values(VARIABLES).map((v) => v.name).sort());
  });
});

/** Every variable with values that must stop `keygate serve` before it listens. */
const BAD: [string, string, Record<string, string>?][] = [
  ['PORT', 'abc'],
  ['PORT', '70000'],
  ['HOST', 'not a host'],
  ['HOST', 'not-a-host'],
  ['DATABASE_URL', 'mysql://app:S3cretPw@localhost/keygate'],
  ['KEYGATE_DATA_DIR', '/proc/kg'],
  ['KEYGATE_OPERATOR_TOKEN', 'short'],
  ['KEYGATE_LIFESPANS', '{"alation":{"refresh":"abc"}}'],
  ['KEYGATE_LIFESPANS', '-5'],
  ['KEYGATE_LIFESPANS', '[]'],
  ['KEYGATE_LIFESPANS', '{"alation":{"refresh":-5}}'],
  ['KEYGATE_LIFESPANS', '{"unknownvendor":{"refresh":60}}'],
  ['KEYGATE_MASTER_KEY', 'tooshort'],
  ['KEYGATE_MASTER_KEY', '', { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' }],
  ['KEYGATE_AUTH_FAILURES_PER_MINUTE', '-1'],
  ['KEYGATE_EXPIRY_SWEEP_SECONDS', '99999999999'],
  ['KEYGATE_MAX_BODY_BYTES', '12abc'],
  ['KEYGATE_LOG_LEVEL', 'loud'],
  ['KEYGATE_PUBLIC_URL', 'ftp://keygate.example.com'],
  ['KEYGATE_TRUST_PROXY', '10.0.0.0/33'],
  ['KEYGATE_TRUST_PROXY', 'everyone'],
  ['KEYGATE_MANAGEMENT_PORT', 'x'],
  ['KEYGATE_MANAGEMENT_PORT', '4100', { PORT: '4100' }],
  ['KEYGATE_SHUTDOWN_GRACE_SECONDS', '-1'],
  ['KEYGATE_EXPIRY_WARNINGS', '7x'],
  ['KEYGATE_EXPIRY_WARNINGS', '0d'],
  ['KEYGATE_WEBHOOK_ALLOW_PRIVATE', 'maybe'],
  ['KEYGATE_WEBHOOK_CONCURRENCY', '0'],
  ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
];

test('every variable in the table has a bad value in the process table below', () => {
  expect(new Set(BAD.map(([name]) => name))).toEqual(new Set(Object.values(VARIABLES).map((v) => v.name)));
});

describe('keygate serve with a bad value exits 2 before listening, naming the variable and what is allowed', () => {
  const env = (overrides: Record<string, string>) => ({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: '',
    KEYGATE_DATA_DIR: join(folder, 'data'),
    KEYGATE_MASTER_KEY: '',
    KEYGATE_LOG_LEVEL: 'info',
    ...overrides,
  });

  test.concurrent.each(BAD)('%s=%s', async (name, value, extra = {}) => {
    const result = await runCli(['serve'], env({ ...extra, [name]: value }));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${name}: `);
    expect(result.stderr).toMatch(/expected /);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.stdout).not.toContain('keygate listening');
    // Credentials in a bad value are not echoed back.
    if (/^(KEYGATE_MASTER_KEY|KEYGATE_OPERATOR_TOKEN|DATABASE_URL)$/.test(name) && value.length > 0) expect(result.stderr).not.toContain(value);
  });

  test('a port in use names PORT', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
    const port = String((holder.address() as { port: number }).port);
    try {
      const result = await runCli(['serve'], env({ PORT: port, KEYGATE_DATA_DIR: join(folder, 'busy') }));
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('PORT: cannot listen');
    } finally {
      holder.close();
    }
  });
});
