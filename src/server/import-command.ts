import { readFile } from 'node:fs/promises';
import type { GatewayConfig } from '../config';
import { CoreServices, Database, systemClock, type Clock } from '../core';
import { createAlationProvider } from '../plugins/alation/alation.provider';
import type { ImportPhase, ImportResult } from '../plugins/provider';
import { ProviderRegistry } from '../plugins/registry';

export const IMPORT_USAGE = `Usage: keygate import alation <file.csv> [--confirm]

Validates every row of an Alation user CSV (user,display_name,email,title,role,password) and
reports each problem; nothing is written. With --confirm and no problem, creates all users in
one transaction. Runs with the gateway's database settings (DATABASE_URL / KEYGATE_DATA_DIR);
with the embedded database, stop the gateway first.
`;

export interface ImportCommandIO {
  config: Pick<GatewayConfig, 'databaseUrl' | 'dataDir' | 'lifespans'>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  clock?: Clock;
}

/** Files with at least this many rows get a progress bar on stderr. */
const PROGRESS_MIN_ROWS = 500;
const PHASE_LABEL: Record<ImportPhase, string> = { validate: 'validating', hash: 'hashing passwords', write: 'writing' };

/** A one-line bar redrawn in place on a terminal; on a pipe, one line per tenth. */
export function progressBar(stderr: ImportCommandIO['stderr']) {
  let lastLine = '';
  let lastTenth = -1;
  return {
    update(phase: ImportPhase, done: number, total: number) {
      if (total <= 0) return;
      const ratio = Math.min(1, done / total);
      const width = 30;
      const filled = Math.round(ratio * width);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${PHASE_LABEL[phase]} ${done}/${total}`;
      if (stderr.isTTY) {
        if (line !== lastLine) stderr.write(`\r${line}`);
      } else {
        const tenth = Math.floor(ratio * 10) + (phase === 'validate' ? 0 : phase === 'hash' ? 100 : 200);
        if (tenth !== lastTenth) stderr.write(`${line}\n`);
        lastTenth = tenth;
      }
      lastLine = line;
    },
    end() {
      if (stderr.isTTY && lastLine) stderr.write('\n');
    },
  };
}

/** `keygate import alation <file.csv> [--confirm]`: 0 when all rows are (or would be) created, 1 on row errors, 2 on usage errors. */
export async function runAlationImport(args: string[], io: ImportCommandIO): Promise<number> {
  const confirm = args.includes('--confirm');
  const files = args.filter((a) => !a.startsWith('--'));
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--confirm');
  if (files.length !== 1 || unknown.length) {
    io.stderr.write(IMPORT_USAGE);
    return 2;
  }
  let csv: string;
  try {
    csv = await readFile(files[0], 'utf8');
  } catch (error) {
    io.stderr.write(`keygate import: cannot read ${files[0]}: ${(error as NodeJS.ErrnoException).code ?? 'error'}\n`);
    return 2;
  }

  const db = await Database.open({ url: io.config.databaseUrl, dataDir: io.config.dataDir });
  try {
    await db.migrate();
    const core = new CoreServices(db, io.clock ?? systemClock, { lifespanOverrides: io.config.lifespans });
    const registry = new ProviderRegistry([createAlationProvider], core);
    const actor = await core.credentials.operator();
    const rows = csv.split('\n').length - 1;
    const bar = rows >= PROGRESS_MIN_ROWS ? progressBar(io.stderr) : null;
    const started = Date.now();
    let result: ImportResult;
    try {
      result = await registry.importServiceAccounts({ actor, origin: 'cli' }, 'alation', csv, confirm, { onProgress: bar ? (...a) => bar.update(...a) : undefined });
    } finally {
      bar?.end();
    }
    io.stdout.write(summary(result, confirm, Date.now() - started));
    return result.errors.length ? 1 : 0;
  } finally {
    await db.close();
  }
}

function summary(result: ImportResult, confirm: boolean, ms: number): string {
  const lines = result.errors.map((e) => `line ${e.line}${e.field ? `, ${e.field}` : ''}: ${e.message}`);
  if (result.errors.length) {
    lines.push(`${result.total} row(s), ${result.valid} valid, ${result.errors.length} problem(s). Nothing was written.`);
  } else if (confirm) {
    lines.push(`Created ${result.created.length} user(s) in ${(ms / 1000).toFixed(1)} s.`);
  } else {
    lines.push(`Preview: ${result.total} row(s), all valid. Nothing was written; run again with --confirm to create them.`);
  }
  return lines.join('\n') + '\n';
}
