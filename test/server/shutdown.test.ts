import { onPostgres } from '../support/database';
import { OPERATOR_TOKEN, startTestGateway } from '../support/gateway';
import { graphql } from '../support/graphql';
import { wsClient } from '../support/ws';

// Holding the embedded database's single session is how this test keeps a request in flight.
const embeddedOnly = onPostgres ? test.skip : test;

embeddedOnly('stop lets in-flight requests finish, closes WebSockets, then the database', async () => {
  const t = await startTestGateway();
  const { client, closed } = wsClient(t.url, OPERATOR_TOKEN);
  await new Promise<void>((resolve) => client.on('connected', () => resolve()));

  let release!: () => void;
  const held = t.gateway.db.transaction(() => new Promise<void>((resolve) => (release = resolve)));
  const inFlight = graphql(t.url, '{ serviceAccounts { totalCount } }', {}, OPERATOR_TOKEN);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const stopping = t.gateway.stop();
  await new Promise((resolve) => setTimeout(resolve, 200));
  release();
  await held;
  const response = await inFlight;
  expect(response.status).toBe(200);
  expect(response.data?.serviceAccounts.totalCount).toBe(0);
  await stopping;
  expect((await closed).code).toBe(1001);
  await client.dispose();
  await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
});
