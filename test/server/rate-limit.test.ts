import { generateSecret } from '../../src/core';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { codes, expectOk, graphql } from '../support/graphql';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ config: { authFailuresPerMinute: 3 } });
});
afterAll(() => t.close());

test('an address that keeps failing to authenticate is refused for the rest of the minute, on every face', async () => {
  for (let i = 0; i < 3; i++) expect(codes(await graphql(t.url, '{ viewer { name } }', {}, generateSecret('at')))).toEqual(['UNAUTHENTICATED']);
  const limited = await graphql(t.url, '{ viewer { name } }', {}, OPERATOR_TOKEN);
  expect(limited.status).toBe(429);
  expect(codes(limited)).toEqual(['RATE_LIMITED']);
  expect(limited.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
  const rest = await fetch(`${t.url}/example/whoami`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  expect(rest.status).toBe(429);

  t.clock.advance(61_000);
  expect(expectOk(await graphql(t.url, '{ viewer { name } }', {}, OPERATOR_TOKEN)).viewer.name).toBe('operator');
});
