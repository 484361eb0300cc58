import { Client } from 'pg';
import { operatorGraphql, serverUrl, startKeygate, withScratchDatabase } from '../support/processes';
import { formatSpread, ratio, spread } from '../support/stats';

const SIZES = [1_000, 100_000, ...(process.env.BENCH_LIST_1M ? [1_000_000] : [])];
const REQUESTS = Number(process.env.BENCH_LIST_REQUESTS ?? 30);

const PAGE = `query($first: Int!) { serviceAccounts(first: $first) { nodes { id name permissions { id } accessTokens { id status } refreshTokens { id } } pageInfo { endCursor hasNextPage } } }`;
const COUNTED = `query($first: Int!) { serviceAccounts(first: $first) { totalCount nodes { id name } } }`;

/** Adds principals (each with one access token) in one statement per table, as a bulk import would leave them. */
async function seed(db: Client, from: number, to: number) {
  await db.query(
    `INSERT INTO service_account (provider, kind, name, client_id, created_at, updated_at)
     SELECT 'talend', 'service_account', 'bench-' || i, 'bench-client-' || i, now() - (i || ' seconds')::interval, now()
       FROM generate_series($1::int, $2::int - 1) AS i`,
    [from, to],
  );
  await db.query(
    `INSERT INTO access_token (provider, owner_id, kind, created_at, expires_at)
     SELECT 'talend', sa.id, 'exchanged', sa.created_at, now() + interval '30 minutes'
       FROM generate_series($1::int, $2::int - 1) AS i
       JOIN service_account sa ON sa.provider = 'talend' AND sa.name = 'bench-' || i AND sa.deleted_at IS NULL`,
    [from, to],
  );
  await db.query('ANALYZE');
}

async function latency(url: string, query: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < REQUESTS + 5; i++) {
    const t0 = process.hrtime.bigint();
    await operatorGraphql(url, query, { first: 100 });
    if (i >= 5) samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return samples;
}

/**
 * `serviceAccounts(first: 100)` with nested tokens, permissions and page info, as the operator,
 * at growing table sizes seeded with SQL; each size as a ratio to the 1k figure. The same page
 * with `totalCount` is shown apart: counting is linear in the table by nature.
 */
export async function list(): Promise<void> {
  console.log(`\n## List latency: serviceAccounts(first: 100) with nested tokens, ${REQUESTS} sequential requests per size (1M: BENCH_LIST_1M=1)`);
  if (!serverUrl()) return void console.log('skipped: needs PostgreSQL (DATABASE_URL or BENCH_DATABASE_URL)');
  await withScratchDatabase(async (databaseUrl) => {
    const keygate = await startKeygate(databaseUrl, { KEYGATE_EXPIRY_SWEEP_SECONDS: '0' });
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      let seeded = 0;
      let page1k = NaN;
      let counted1k = NaN;
      for (const size of SIZES) {
        const t0 = Date.now();
        await seed(db, seeded, size);
        seeded = size;
        const page = spread(await latency(keygate.url, PAGE));
        const counted = spread(await latency(keygate.url, COUNTED));
        if (size === SIZES[0]) [page1k, counted1k] = [page.median, counted.median];
        console.log(`${String(size).padStart(9)} principals (seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
        console.log(`   page              ${formatSpread(page, 2, ' ms')} → ${ratio(page.median, page1k)} of 1k`);
        console.log(`   with totalCount   ${formatSpread(counted, 2, ' ms')} → ${ratio(counted.median, counted1k)} of 1k`);
      }
    } finally {
      await db.end();
      await keygate.stop();
    }
  });
}
