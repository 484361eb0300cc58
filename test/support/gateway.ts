import { ManualClock, MasterKey, type Clock } from '../../src/core';
import { loadConfig, type GatewayConfig } from '../../src/config';
import { createExampleProvider } from '../../src/plugins/example/example.provider';
import type { ProviderFactory } from '../../src/plugins/provider';
import { defaultProviders } from '../../src/plugins/registry';
import { Gateway } from '../../src/server/gateway';
import { createLogger } from '../../src/server/logger';
import { createTestDatabase, type TestDatabase } from './database';
import { recordLog, recordSecret } from './suite-scan';

export const OPERATOR_TOKEN = 'test-operator-token-0123456789';
const MASTER_KEY = MasterKey.generate();
recordSecret(OPERATOR_TOKEN);
recordSecret(MASTER_KEY);

export interface TestGateway {
  gateway: Gateway;
  url: string;
  clock: ManualClock;
  logs: string[];
  database: TestDatabase;
  /** Stops the gateway and drops its database. */
  close(): Promise<void>;
  /** Stops and starts again on the same database (restart tests). */
  restart(): Promise<TestGateway>;
}

export interface TestGatewayOptions {
  providers?: ProviderFactory[];
  config?: Partial<GatewayConfig>;
  clock?: Clock;
  countStatements?: boolean;
  database?: TestDatabase;
}

/** The real gateway, on a real database, on a random local port. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const database = options.database ?? (await createTestDatabase());
  const clock = (options.clock as ManualClock) ?? new ManualClock(new Date());
  const logs: string[] = [];
  const config: GatewayConfig = {
    ...loadConfig({}),
    port: 0,
    host: '127.0.0.1',
    databaseUrl: database.url,
    dataDir: database.dataDir,
    operatorToken: OPERATOR_TOKEN,
    lifespans: {},
    masterKey: MASTER_KEY,
    maxBodyBytes: 1024 * 1024,
    expirySweepSeconds: 0,
    // Tests send many bad credentials from one address on purpose; rate-limit.test.ts sets its own.
    authFailuresPerMinute: 0,
    logLevel: 'debug',
    ...options.config,
  };
  const gateway = await Gateway.start({
    config,
    providers: options.providers ?? [createExampleProvider, ...defaultProviders],
    clock,
    logger: createLogger('debug', (line) => (logs.push(line), recordLog(line))),
    countStatements: options.countStatements,
  });
  const handle: TestGateway = {
    gateway,
    url: gateway.url,
    clock,
    logs,
    database,
    close: async () => {
      await gateway.stop();
      await database.drop();
    },
    restart: async () => {
      await gateway.stop();
      return startTestGateway({ ...options, database, clock });
    },
  };
  return handle;
}
