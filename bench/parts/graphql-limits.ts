import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse, specifiedRules, validate, type GraphQLSchema, type ValidationRule } from 'graphql';
import { gatewayValidationRules, parseLimited } from '../../src/schema/validation-rules';
import { HOSTILE_SHAPES, TRIVIAL_DOCUMENT } from '../support/hostile-documents';
import { fixed, ratio, spread } from '../support/stats';

/** Doubling sizes, all inside the token limit so that every document is validated in full. */
const SIZES = [10, 20, 40, 80];
/** Sizes for armor's rules alone, past the token limit: they visit each fragment once. */
const ARMOR_SIZES = [10, 30, 100, 300];
const ROUNDS = Number(process.env.BENCH_LIMIT_ROUNDS ?? 7);

/**
 * ms to parse and validate `source` as the gateway does (graphql-js's rules and armor's): each
 * sample repeats it for at least 5 ms, and the fastest of a few samples stands, since on a shared
 * machine noise only ever adds time.
 */
function validationMs(schema: GraphQLSchema, source: string, rules: readonly ValidationRule[] = [...specifiedRules, ...gatewayValidationRules]): number {
  const document = rules === gatewayValidationRules ? parse(source) : undefined;
  const once = () => validate(schema, document ?? parseLimited(source), rules);
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    let runs = 0;
    let elapsed = 0;
    while (elapsed < 5) {
      once();
      runs++;
      elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    }
    samples.push(elapsed / runs);
  }
  return spread(samples).min;
}

/**
 * Validation cost of hostile document shapes (bench/support/hostile-documents.ts) at growing
 * sizes, as a ratio to `{ viewer { name } }`: each size doubles the last, so linear growth shows
 * as a step of about 2× (the fragment bomb has 2^n paths; the hand-written depth rule it replaced
 * doubled its time per fragment). A second table times armor's rules alone, past the token limit.
 */
export async function graphqlLimits(): Promise<void> {
  console.log(`\n## GraphQL validation at growing document sizes (parse + graphql-js rules + graphql-armor limits, in process, fastest of ${ROUNDS} samples)`);
  // schema.graphql is the committed print of the gateway's schema (test/schema/schema-drift.test.ts keeps it true).
  const schema = buildSchema(readFileSync(join(process.cwd(), 'schema.graphql'), 'utf8'));
  for (let warm = 0; warm < 3; warm++) for (const shape of Object.values(HOSTILE_SHAPES)) validationMs(schema, shape(30));
  const trivial = validationMs(schema, TRIVIAL_DOCUMENT);
  console.log(`trivial query: ${fixed(trivial * 1000, 0)} µs (the 1× of this table)`);
  table(trivial, SIZES, (source) => validationMs(schema, source));
  console.log(`\ngraphql-armor's rules alone (no token limit, document parsed beforehand):`);
  table(validationMs(schema, TRIVIAL_DOCUMENT, gatewayValidationRules), ARMOR_SIZES, (source) => validationMs(schema, source, gatewayValidationRules));
}

function table(trivial: number, sizes: number[], measure: (source: string) => number): void {
  const sizeStep = sizes[sizes.length - 1] / sizes[sizes.length - 2];
  console.log(`| shape | ${sizes.map((n) => `n=${n}`).join(' | ')} | time step for the last ×${fixed(sizeStep, 1)} in size |`);
  console.log(`|---|${sizes.map(() => '---').join('|')}|---|`);
  for (const [name, shape] of Object.entries(HOSTILE_SHAPES)) {
    const times = sizes.map((n) => measure(shape(n)));
    console.log(`| ${name} | ${times.map((ms) => ratio(ms, trivial, 1)).join(' | ')} | ${fixed(times[times.length - 1] / times[times.length - 2], 1)}× |`);
  }
}
