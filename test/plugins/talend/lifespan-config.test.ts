import type { TestGateway } from '../../support/gateway';
import { expectOk } from '../../support/graphql';
import { createServiceAccountGql, exchange, rest, startTalendGateway } from './talend-support';

let t: TestGateway;
beforeAll(async () => {
  t = await startTalendGateway({ lifespans: { talend: { serviceAccountToken: 600 } } });
});
afterAll(() => t.close());

test('the service-account token lifespan is configurable (KEYGATE_LIFESPANS)', async () => {
  const created = expectOk(await createServiceAccountGql(t, 'configured', ['TMC_ENGINE_USE'])).createServiceAccount;
  const res = await exchange(t, created.serviceAccount.id, created.secret);
  expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
  const token = res.body.access_token;
  t.clock.advance(599 * 1000);
  expect((await rest(t, 'GET', '/account/service-accounts/permissions', { token })).status).toBe(200);
  t.clock.advance(1000);
  expect((await rest(t, 'GET', '/account/service-accounts/permissions', { token })).status).toBe(401);
});
