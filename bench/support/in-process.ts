import 'reflect-metadata';
import { ManualClock } from '../../src/core';
import { createExampleProvider } from '../../src/plugins/example/example.provider';
import { Gateway } from '../../src/server/gateway';
import { createLogger } from '../../src/server/logger';

export const IN_PROCESS_OPERATOR = 'bench-operator-token-0123456789';

/** A gateway in this process (the example provider only), for figures read from its internals. */
export async function startInProcess(options: { countStatements?: boolean; databaseUrl?: string; webhookAllowPrivate?: boolean } = {}): Promise<Gateway> {
  return Gateway.start({
    config: {
      port: 0,
      host: '127.0.0.1',
      databaseUrl: options.databaseUrl || undefined,
      dataDir: 'memory://',
      operatorToken: IN_PROCESS_OPERATOR,
      lifespans: {},
      masterKey: 'bench-master-key-bench-master-key-bench-master',
      maxBodyBytes: 1024 * 1024,
      expirySweepSeconds: 0,
      authFailuresPerMinute: 0,
      logLevel: 'silent',
      trustProxy: [],
      shutdownGraceSeconds: 10,
      expiryWarnings: [],
      webhookAllowPrivate: options.webhookAllowPrivate ?? false,
      webhookConcurrency: 8,
    },
    providers: [createExampleProvider],
    clock: new ManualClock(),
    logger: createLogger('silent'),
    countStatements: options.countStatements,
  });
}
