import { parentPort } from 'node:worker_threads';
import { BENCH_OPERATOR } from '../support/processes';

/**
 * The revoking client, on a thread of its own: the main thread is busy reading thousands of
 * frames, and the revoking request's latency must not include that. Times are process.hrtime,
 * one clock for every thread.
 */
export interface RevokeOrder {
  url: string;
  id: string;
}

if (parentPort) {
  const port = parentPort;
  port.on('message', async ({ url, id }: RevokeOrder) => {
    const t0 = process.hrtime.bigint();
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_OPERATOR}` },
      body: JSON.stringify({ query: 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', variables: { id } }),
    });
    const body = await res.text();
    const answered = process.hrtime.bigint();
    port.postMessage({ t0: t0.toString(), answered: answered.toString(), ok: res.status === 200 && !body.includes('"errors"') });
  });
}
