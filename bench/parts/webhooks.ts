import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cloudEventBody, post, signatureHeaders, type TokenEvent } from '../../src/core';
import { IN_PROCESS_OPERATOR, startInProcess } from '../support/in-process';
import { withScratchDatabase } from '../support/processes';

const EVENTS = 1000;

/**
 * One webhook draining a backlog of 1,000 events to a receiver on loopback, against the baseline
 * of the same signed bodies POSTed one after another by a bare loop: the ratio is what keygate adds
 * per event (reading the log, visibility, the attempt row and cursor written before the next).
 */
export async function webhooks(): Promise<void> {
  console.log(`\n## Webhook delivery: ${EVENTS} events to one receiver on loopback, in order, one at a time`);
  let received = 0;
  let done: (() => void) | null = null;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(204).end();
      if (++received === EVENTS) done?.();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const allReceived = () => new Promise<void>((resolve) => (done = resolve));
  try {
    await withScratchDatabase(async (databaseUrl) => {
      const gateway = await startInProcess({ databaseUrl, webhookAllowPrivate: true });
      try {
        const res = await fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${IN_PROCESS_OPERATOR}` },
          body: JSON.stringify({ query: `mutation($url: String!) { createWebhook(input: { url: $url }) { secret } }`, variables: { url } }),
        });
        const secret = ((await res.json()) as { data: { createWebhook: { secret: string } } }).data.createWebhook.secret;

        // Baseline: the same kind of bodies, signed and POSTed in a bare loop.
        const sample: TokenEvent = { cursor: '1', provider: 'example', kind: 'CREATED', subjectType: 'SERVICE_ACCOUNT', subjectId: '00000000-0000-4000-8000-000000000000', serviceAccountId: '00000000-0000-4000-8000-000000000000', actor: 'operator', at: new Date() };
        let waiting = allReceived();
        const bareStart = process.hrtime.bigint();
        for (let i = 0; i < EVENTS; i++) {
          const { body, contentType } = cloudEventBody({ ...sample, cursor: String(i + 1) }, gateway.url);
          await post(url, { 'content-type': contentType, ...signatureHeaders(secret, String(i + 1), new Date(), body) }, body, { allowPrivate: true, timeoutMs: 10_000 });
        }
        await waiting;
        const bareMs = Number(process.hrtime.bigint() - bareStart) / 1e6;

        received = 0;
        waiting = allReceived();
        const plugin = gateway.providers.get('example');
        const ctx = { actor: await gateway.core.credentials.resolve(IN_PROCESS_OPERATOR), origin: 'bench' };
        const keygateStart = process.hrtime.bigint();
        await gateway.core.change(ctx, { provider: plugin, action: 'bench.seed' }, (scope) =>
          gateway.core.principals.create(scope, plugin, Array.from({ length: EVENTS }, (_, i) => ({ kind: 'service_account', name: `hook-bench-${i}`, role: 'MEMBER' }))),
        );
        await waiting;
        const keygateMs = Number(process.hrtime.bigint() - keygateStart) / 1e6;
        console.log(`bare signed POST loop: ${(bareMs / EVENTS).toFixed(2)} ms/event; keygate webhook: ${(keygateMs / EVENTS).toFixed(2)} ms/event (${(keygateMs / bareMs).toFixed(1)}× the bare loop, seeding included)`);
      } finally {
        await gateway.stop();
      }
    });
  } finally {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}
