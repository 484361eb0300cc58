import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { expectOk, graphql } from '../support/graphql';

/** shared/API.md: `createPersona` without `provider` from the operator makes an Atlan persona (personas are Atlan's). */
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
}, 180_000);
afterAll(() => t.close());

test('the operator leaves out provider: the persona is Atlan\'s, and an Atlan API token links it', async () => {
  const persona = expectOk(await graphql(t.url, 'mutation { createPersona(input: { name: "Walk-through", qualifiedName: "default/walk-through" }) { id provider qualifiedName } }', {}, OPERATOR_TOKEN)).createPersona;
  expect(persona).toMatchObject({ provider: 'ATLAN', qualifiedName: 'default/walk-through' });
  const token = expectOk(
    await graphql(
      t.url,
      'mutation { createServiceAccount(input: { provider: ATLAN, displayName: "linked", personaQualifiedNames: ["default/walk-through"] }) { serviceAccount { personas { id } } } }',
      {},
      OPERATOR_TOKEN,
    ),
  ).createServiceAccount;
  expect(token.serviceAccount.personas).toEqual([{ id: persona.id }]);
});
