import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { BENCH_OPERATOR, operatorGraphql, serverUrl, startKeygate, startPeer, withScratchDatabase, type Child } from '../support/processes';
import { fixed, formatSpread, ratio, spread } from '../support/stats';

const SIZES = (process.env.BENCH_SUBSCRIBERS ?? '1000,5000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_REVOCATIONS ?? 10);
const SUBSCRIPTION = JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { tokenRevoked(provider: TALEND) { subjectId serviceAccountId kind cursor } }' } });

/** Sockets that note when a frame naming `awaited` arrives; one timestamp per socket and id. */
class Arrivals {
  awaited = '';
  times: bigint[] = [];
  sockets: WebSocket[] = [];

  wait(id: string) {
    this.awaited = id;
    this.times = [];
  }

  async until(count: number, ms = 15_000) {
    const deadline = Date.now() + ms;
    while (this.times.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
    return this.times.length;
  }

  watch(socket: WebSocket) {
    this.sockets.push(socket);
    socket.on('message', (data) => {
      if (this.awaited && data.toString().includes(this.awaited)) this.times.push(process.hrtime.bigint());
    });
  }
}

/** A graphql-ws (graphql-transport-ws) subscriber, spoken by hand so the client costs the same as the baseline's. */
function keygateSubscriber(url: string, arrivals: Arrivals): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${BENCH_OPERATOR}` } })));
    socket.once('error', reject);
    socket.once('message', (data) => {
      if (!data.toString().includes('connection_ack')) return reject(new Error(`not acknowledged: ${data}`));
      socket.send(SUBSCRIPTION);
      arrivals.watch(socket);
      resolve();
    });
  });
}

function bareSubscriber(url: string, arrivals: Arrivals): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws') + '/graphql');
    socket.once('open', () => (arrivals.watch(socket), resolve()));
    socket.once('error', reject);
  });
}

async function connect(count: number, open: (i: number) => Promise<void>) {
  for (let i = 0; i < count; i += 100) await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, j) => open(i + j)));
}

const ms = (from: bigint, to: bigint) => Number(to - from) / 1e6;

/**
 * Revoke → last subscriber: two `keygate serve` processes on one PostgreSQL, subscribers spread
 * over both, each revocation made through the first. Baseline: a bare `ws` server writing one
 * pre-serialized frame to as many sockets. Also: the revoking request's own latency, which must
 * not grow with the number of subscribers.
 */
export async function revocation(): Promise<void> {
  console.log(`\n## Revoke → last subscriber over 2 instances vs bare ws broadcast (${ROUNDS} interleaved rounds per size)`);
  if (!serverUrl()) return void console.log('skipped: needs PostgreSQL (DATABASE_URL or BENCH_DATABASE_URL)');
  await withScratchDatabase(async (databaseUrl) => {
    const children: Child[] = [];
    const keygateArrivals = new Arrivals();
    const bareArrivals = new Arrivals();
    let stopRevoker = async () => 0;
    try {
      // One at a time: the first applies the migrations.
      const a = await startKeygate(databaseUrl);
      children.push(a);
      const b = await startKeygate(databaseUrl);
      children.push(b);
      const bare = await startPeer('ws');
      children.push(bare);
      const account = (await operatorGraphql(a.url, 'mutation { createServiceAccount(input: { provider: TALEND, user: "bench-revoked", permissions: [] }) { serviceAccount { id } } }')).createServiceAccount.serviceAccount.id;
      const newToken = async () =>
        (await operatorGraphql(a.url, 'mutation($id: ID!) { createAccessToken(input: { serviceAccountId: $id }) { accessToken { id } } }', { id: account })).createAccessToken.accessToken.id as string;
      const revoker = new Worker(join(__dirname, 'revoker.js'));
      stopRevoker = () => revoker.terminate();
      const revoke = (id: string) =>
        new Promise<{ t0: bigint; answered: bigint }>((resolve, reject) => {
          revoker.once('message', (m: { t0: string; answered: string; ok: boolean }) =>
            m.ok ? resolve({ t0: BigInt(m.t0), answered: BigInt(m.answered) }) : reject(new Error('revocation failed')),
          );
          revoker.postMessage({ url: a.url, id });
        });
      const broadcast = async (id: string) => {
        const t0 = process.hrtime.bigint();
        await fetch(`${bare.url}/broadcast`, { method: 'POST', body: id });
        return { t0, answered: process.hrtime.bigint() };
      };

      const alone: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const { t0, answered } = await revoke(await newToken());
        alone.push(ms(t0, answered));
      }
      const aloneMedian = spread(alone).median;
      console.log(`revoking request with no subscriber: ${formatSpread(spread(alone), 2, ' ms')}`);

      let connected = 0;
      for (const size of SIZES) {
        await connect(size - connected, (i) => keygateSubscriber((connected + i) % 2 === 0 ? a.url : b.url, keygateArrivals));
        await connect(size - connected, () => bareSubscriber(bare.url, bareArrivals));
        connected = size;
        // Warm-up: every subscription registered and reached once.
        for (let i = 0; i < 2; i++) {
          const id = await newToken();
          keygateArrivals.wait(id);
          await revoke(id);
          await keygateArrivals.until(size, 30_000);
        }
        const keygate = { last: [] as number[], first: [] as number[], answered: [] as number[], missing: 0 };
        const baseline = { last: [] as number[], first: [] as number[] };
        for (let round = 0; round < ROUNDS; round++) {
          const id = await newToken();
          keygateArrivals.wait(id);
          const k = await revoke(id);
          const got = await keygateArrivals.until(size);
          keygate.missing += size - got;
          keygate.answered.push(ms(k.t0, k.answered));
          keygate.first.push(ms(k.t0, keygateArrivals.times[0]));
          keygate.last.push(ms(k.t0, keygateArrivals.times[got - 1]));

          const frameId = `bare-${round}-${id}`;
          bareArrivals.wait(frameId);
          const w = await broadcast(frameId);
          const bareGot = await bareArrivals.until(size);
          baseline.first.push(ms(w.t0, bareArrivals.times[0]));
          baseline.last.push(ms(w.t0, bareArrivals.times[bareGot - 1]));
        }
        const [kLast, bLast] = [spread(keygate.last), spread(baseline.last)];
        console.log(`\n### ${size} subscribers (${size / 2} on each instance)${keygate.missing ? `  MISSING deliveries: ${keygate.missing}` : ''}`);
        console.log(`bare ws broadcast     first ${formatSpread(spread(baseline.first), 1, ' ms')}  last ${formatSpread(bLast, 1, ' ms')}`);
        console.log(`keygate revoke        first ${formatSpread(spread(keygate.first), 1, ' ms')}  last ${formatSpread(kLast, 1, ' ms')}`);
        console.log(`revoke → last subscriber: ${ratio(kLast.median, bLast.median)} of the bare broadcast (target ≤ 2× + 10 ms = ${fixed(2 * bLast.median + 10, 1)} ms)`);
        console.log(`revoking request answered: ${formatSpread(spread(keygate.answered), 2, ' ms')} → ${ratio(spread(keygate.answered).median, aloneMedian)} of the same request with no subscriber`);
      }
    } finally {
      await stopRevoker();
      for (const socket of [...keygateArrivals.sockets, ...bareArrivals.sockets]) socket.terminate();
      await Promise.all(children.map((c) => c.stop()));
    }
  });
}
