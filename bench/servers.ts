import 'reflect-metadata';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { ManualClock } from '../src/core';
import { createExampleProvider } from '../src/plugins/example/example.provider';
import { Gateway } from '../src/server/gateway';
import { createLogger } from '../src/server/logger';
import { loadConfig } from '../src/config';

export const BENCH_OPERATOR_TOKEN = 'bench-operator-token-0123456789';

/** The baseline: bare Apollo Server on the same Express stack, one trivial resolver. */
export async function startBaseline(): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  const httpServer = createServer(app);
  const apollo = new ApolloServer({ typeDefs: 'type Query { viewer: Viewer! } type Viewer { name: String! }', resolvers: { Query: { viewer: () => ({ name: 'bench' }) } } });
  await apollo.start();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/graphql`,
    close: async () => {
      await apollo.stop();
      httpServer.close();
    },
  };
}

export async function startKeygate(options: { countStatements?: boolean; databaseUrl?: string } = {}): Promise<Gateway> {
  return Gateway.start({
    config: {
      ...loadConfig({}),
      port: 0,
      host: '127.0.0.1',
      databaseUrl: (options.databaseUrl ?? process.env.DATABASE_URL) || undefined,
      dataDir: 'memory://',
      operatorToken: BENCH_OPERATOR_TOKEN,
      lifespans: {},
      masterKey: 'bench-master-key-bench-master-key-bench-master',
      maxBodyBytes: 1024 * 1024,
      expirySweepSeconds: 0,
      authFailuresPerMinute: 0,
      logLevel: 'silent',
    },
    providers: [createExampleProvider],
    clock: new ManualClock(),
    logger: createLogger('silent'),
    countStatements: options.countStatements,
  });
}

/** Child-process entry: `node servers.js baseline|keygate` prints {url, token} and serves until killed. */
if (require.main === module) {
  const which = process.argv[2];
  (async () => {
    if (which === 'baseline') {
      const server = await startBaseline();
      process.stdout.write(JSON.stringify({ url: server.url }) + '\n');
    } else {
      const gateway = await startKeygate();
      const call = async (query: string, variables: Record<string, unknown>) => {
        const res = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_OPERATOR_TOKEN}` }, body: JSON.stringify({ query, variables }) });
        return ((await res.json()) as { data: any }).data;
      };
      const created = await call('mutation { createServiceAccount(input: { provider: EXAMPLE, name: "bench", role: "MEMBER" }) { serviceAccount { id } } }', {});
      const refresh = await call('mutation($id: ID!) { createRefreshToken(input: { serviceAccountId: $id, name: "bench" }) { refreshToken { id } } }', { id: created.createServiceAccount.serviceAccount.id });
      const access = await call('mutation($id: ID!) { createAccessToken(input: { refreshTokenId: $id }) { secret } }', { id: refresh.createRefreshToken.refreshToken.id });
      process.stdout.write(JSON.stringify({ url: `${gateway.url}/graphql`, token: access.createAccessToken.secret }) + '\n');
    }
  })().catch((error) => {
    process.stderr.write(String(error) + '\n');
    process.exit(1);
  });
}
