import { call } from '../support/load';
import { startKeygate, startPeer, withScratchDatabase } from '../support/processes';
import { compare } from '../support/rounds';
import { alationUser, JSON_TYPE } from './setup';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

/**
 * An authenticated read: Alation's REST `validateAPIAccessToken` and GraphQL `{ viewer { name } }`
 * with the same token, against bare Apollo (one trivial resolver on the same Express stack) and,
 * as the ceiling, bare `node:http`.
 */
export async function validate(): Promise<void> {
  console.log('\n## Authenticated reads vs bare Apollo (and bare node:http, the ceiling)');
  await withScratchDatabase(async (databaseUrl) => {
    const [apollo, http, keygate] = await Promise.all([startPeer('apollo'), startPeer('http'), startKeygate(databaseUrl)]);
    try {
      const user = await alationUser(keygate.url);
      const validateBody = JSON.stringify({ api_access_token: user.accessToken, user_id: user.userId });
      const viewer = JSON.stringify({ query: '{ viewer { name } }' });
      const checked = await call({ url: `${keygate.url}/integration/v1/validateAPIAccessToken/`, headers: { 'content-type': JSON_TYPE }, body: validateBody });
      if (checked.status !== 200) throw new Error(`validate setup failed: ${JSON.stringify(checked.body)}`);
      await compare(
        'requests/s',
        [
          { name: 'bare Apollo { viewer }', request: { url: `${apollo.url}/graphql`, headers: { 'content-type': JSON_TYPE }, body: viewer }, pid: apollo.child.pid },
          { name: 'bare node:http', request: { url: `${http.url}/`, headers: { 'content-type': JSON_TYPE }, body: validateBody }, pid: http.child.pid },
          {
            name: 'keygate REST validateAPIAccessToken',
            request: { url: `${keygate.url}/integration/v1/validateAPIAccessToken/`, headers: { 'content-type': JSON_TYPE }, body: validateBody },
            pid: keygate.child.pid,
            database: Boolean(databaseUrl),
          },
          {
            name: 'keygate GraphQL { viewer }',
            request: { url: `${keygate.url}/graphql`, headers: { 'content-type': JSON_TYPE, authorization: `Bearer ${user.accessToken}` }, body: viewer },
            pid: keygate.child.pid,
            database: Boolean(databaseUrl),
          },
        ],
        CONCURRENCY,
      );
    } finally {
      await Promise.all([apollo.stop(), http.stop(), keygate.stop()]);
    }
  });
}
