import { auditChain } from './parts/audit-chain';
import { grants } from './parts/grants';
import { graphqlLimits } from './parts/graphql-limits';
import { introspection } from './parts/introspection';
import { list } from './parts/list';
import { revocation } from './parts/revocation';
import { statements } from './parts/statements';
import { validate } from './parts/validate';
import { webhooks } from './parts/webhooks';
import { serverUrl } from './support/processes';

/**
 * `npm run bench [-- part…]`. Every figure is printed as a ratio against a baseline measured in
 * the same run (a real peer where one exists), because this machine is shared and noisy: compare
 * ratios, not absolute numbers. Parts run in the order given; no part named runs the default set.
 */
const PARTS: Record<string, { run: () => Promise<void>; byDefault: boolean }> = {
  grants: { run: grants, byDefault: true },
  introspection: { run: introspection, byDefault: true },
  validate: { run: validate, byDefault: true },
  revocation: { run: revocation, byDefault: true },
  list: { run: list, byDefault: true },
  statements: { run: statements, byDefault: false },
  audit: { run: auditChain, byDefault: false },
  webhooks: { run: webhooks, byDefault: false },
  'graphql-limits': { run: graphqlLimits, byDefault: true },
};

(async () => {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !PARTS[name]);
  if (unknown.length) {
    console.error(`unknown part(s): ${unknown.join(', ')}; parts: ${Object.keys(PARTS).join(', ')}`);
    process.exit(2);
  }
  const selected = asked.length ? asked : Object.keys(PARTS).filter((name) => PARTS[name].byDefault);
  console.log(`keygate benchmarks — ${selected.join(', ')} — database: ${serverUrl() ? 'PostgreSQL' : 'embedded PGlite'}`);
  let failed = 0;
  for (const name of selected) {
    try {
      await PARTS[name].run();
    } catch (error) {
      failed++;
      console.log(`\n${name} FAILED: ${(error as Error).stack ?? error}`);
    }
  }
  if (failed) process.exit(1);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
