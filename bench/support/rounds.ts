import { processCpuMs, postgresCpuMs } from './cpu';
import { runLoad, type LoadRequest, type LoadResult } from './load';
import { fixed, formatSpread, ratio, spread } from './stats';

export const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 4000);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

export interface Contender {
  name: string;
  request: LoadRequest;
  /** The server's process, for its CPU per request. */
  pid?: number;
  /** Also count PostgreSQL's CPU per request (a gateway on a database server). */
  database?: boolean;
}

interface Sample {
  result: LoadResult;
  cpuMsPerRequest: number;
  dbCpuMsPerRequest: number;
}

/**
 * Closed-loop load against each contender, interleaved: a warm-up each, then ROUNDS rounds in
 * which every contender runs once (the order rotates), so drift on a shared machine hits all
 * alike. Prints min/median/max and every contender's median as a ratio against the first's.
 */
export async function compare(title: string, contenders: Contender[], concurrency: number): Promise<Map<string, number>> {
  console.log(`\n### ${title} (${concurrency} connections, ${ROUNDS} interleaved rounds × ${DURATION_MS / 1000} s)`);
  const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
  for (const c of contenders) await runLoad(c.request, { concurrency, durationMs: 1000 });
  for (let round = 0; round < ROUNDS; round++) {
    const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]);
    for (const c of order) {
      const cpu0 = c.pid ? processCpuMs(c.pid) : 0;
      const db0 = c.database ? postgresCpuMs() : 0;
      const result = await runLoad(c.request, { concurrency, durationMs: DURATION_MS });
      const ok = Math.max(1, result.requests - result.errors);
      samples.get(c.name)!.push({
        result,
        cpuMsPerRequest: c.pid ? (processCpuMs(c.pid) - cpu0) / ok : NaN,
        dbCpuMsPerRequest: c.database ? (postgresCpuMs() - db0) / ok : NaN,
      });
    }
  }
  const medians = new Map<string, number>();
  const baseline = spread(samples.get(contenders[0].name)!.map((s) => s.result.rps)).median;
  const width = Math.max(...contenders.map((c) => c.name.length));
  for (const c of contenders) {
    const list = samples.get(c.name)!;
    const rps = spread(list.map((s) => s.result.rps));
    const p50 = spread(list.map((s) => s.result.p50)).median;
    const p99 = spread(list.map((s) => s.result.p99)).median;
    const cpu = spread(list.map((s) => s.cpuMsPerRequest)).median;
    const db = spread(list.map((s) => s.dbCpuMsPerRequest)).median;
    const errors = list.reduce((n, s) => n + s.result.errors, 0);
    medians.set(c.name, rps.median);
    const cpuText = Number.isFinite(cpu) ? `  CPU ${fixed(cpu, 3)} ms/req` + (Number.isFinite(db) ? ` + PostgreSQL ${fixed(db, 3)} ms/req` : '') : '';
    console.log(
      `${c.name.padEnd(width)}  ${formatSpread(rps, 0, ' req/s')}  p50 ${fixed(p50, 2)} ms  p99 ${fixed(p99, 2)} ms${cpuText}${errors ? `  ERRORS ${errors}` : ''}  → ${ratio(rps.median, baseline, 3)}`,
    );
  }
  return medians;
}
