import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { printGatewaySchema } from '../../scripts/print-schema';

test('schema.graphql is what the code builds (run `npm run codegen` after changing the schema)', async () => {
  const committed = readFileSync(join(__dirname, '..', '..', 'schema.graphql'), 'utf8');
  expect(await printGatewaySchema()).toBe(committed);
});
