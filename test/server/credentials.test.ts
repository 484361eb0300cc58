import { generateSecret, UNAUTHENTICATED_MESSAGE } from '../../src/core';
import { exampleAccountWithToken } from '../support/example-flow';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { codes, expectOk, graphql } from '../support/graphql';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const VIEWER = '{ viewer { name } }';

async function expectUnauthenticated(headers: Record<string, string>) {
  const response = await graphql(t.url, VIEWER, {}, undefined, headers);
  expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  expect(response.errors![0].message).toBe(UNAUTHENTICATED_MESSAGE);
  return response;
}

describe('bad credentials all get the same UNAUTHENTICATED', () => {
  test('missing', async () => {
    const response = await graphql(t.url, VIEWER);
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });

  test('malformed header, wrong scheme, garbage, bad checksum, unknown', async () => {
    const statuses = [];
    for (const authorization of [
      'Bearer',
      'Basic dXNlcjpwYXNz',
      'Bearer not-a-token',
      'Bearer ' + generateSecret('at').slice(0, -1) + 'x',
      'Bearer ' + generateSecret('at'),
      'Bearer ' + 'x'.repeat(5000),
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    ]) {
      statuses.push((await expectUnauthenticated({ authorization })).status);
    }
    expect(new Set(statuses)).toEqual(new Set([401]));
    await expectUnauthenticated({ token: generateSecret('at') });
  });

  test('expired, revoked, and belonging to a deleted account', async () => {
    const expiring = await exampleAccountWithToken(t.url, 'cred-expiring');
    expect(expectOk(await graphql(t.url, VIEWER, {}, expiring.token)).viewer.name).toBe('cred-expiring');
    t.clock.advance(3601 * 1000);
    await expectUnauthenticated({ authorization: `Bearer ${expiring.token}` });
    t.clock.advance(-3601 * 1000);

    const revoked = await exampleAccountWithToken(t.url, 'cred-revoked');
    expectOk(await graphql(t.url, 'mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: revoked.accessTokenId }, OPERATOR_TOKEN));
    await expectUnauthenticated({ authorization: `Bearer ${revoked.token}` });

    const deleted = await exampleAccountWithToken(t.url, 'cred-deleted');
    expectOk(await graphql(t.url, 'mutation($id: ID!) { deleteServiceAccount(id: $id) { revokedTokenCount } }', { id: deleted.id }, OPERATOR_TOKEN));
    await expectUnauthenticated({ authorization: `Bearer ${deleted.token}` });
  });

  test('the message says nothing about which', async () => {
    const response = await graphql(t.url, VIEWER, {}, generateSecret('at'));
    expect(response.errors![0].message).toBe(UNAUTHENTICATED_MESSAGE);
  });

  test('the TOKEN header works like a bearer token', async () => {
    const account = await exampleAccountWithToken(t.url, 'cred-token-header');
    const response = await graphql(t.url, VIEWER, {}, undefined, { token: account.token });
    expect(expectOk(response).viewer.name).toBe('cred-token-header');
  });

  test('refresh tokens and account secrets are not bearer credentials', async () => {
    const account = await exampleAccountWithToken(t.url, 'cred-not-bearer');
    await expectUnauthenticated({ authorization: `Bearer ${account.refreshSecret}` });
    await expectUnauthenticated({ authorization: `Bearer ${account.accountSecret}` });
  });
});
