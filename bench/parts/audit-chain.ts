import { createHash } from 'node:crypto';
import { AuditService, Database, systemClock } from '../../src/core';
import { withScratchDatabase } from '../support/processes';

const WRITERS = 16;
const EACH = 150;

/**
 * Audit writers with the chain sealed after commit (keygate) against the rejected design: each
 * writer chaining its own row at insert under one per-database lock (read the predecessor's hash,
 * then insert). Then sealing and verification rates, verification against a plain read of the rows.
 */
export async function auditChain(): Promise<void> {
  console.log(`\n## Audit hash chain: ${WRITERS} concurrent writers × ${EACH} transactions with one audit row each`);
  await withScratchDatabase(async (url) => {
    const db = await Database.open({ url, dataDir: 'memory://' });
    try {
      await db.migrate();
      const audit = new AuditService(db, systemClock);
      const entry = (i: number) => ({ actor: null, action: 'bench.write', provider: 'keygate', target: String(i), outcome: 'success' as const, origin: 'bench', detail: { i } });
      const writeAll = async (write: (i: number) => Promise<unknown>) => {
        const started = process.hrtime.bigint();
        await Promise.all(Array.from({ length: WRITERS }, async (_, w) => {
          for (let i = 0; i < EACH; i++) await write(w * EACH + i);
        }));
        return Number(process.hrtime.bigint() - started) / 1e9;
      };
      const rate = (rows: number, seconds: number) => `${Math.round(rows / seconds).toLocaleString('en')} rows/s`;
      const total = WRITERS * EACH;

      const locked = await writeAll((i) =>
        db.transaction(async (tx) => {
          await tx.manager.query('SELECT pg_advisory_xact_lock(42)');
          const [previous] = await tx.manager.query('SELECT id, detail FROM audit_event ORDER BY id DESC LIMIT 1');
          createHash('sha256').update(JSON.stringify(previous ?? null)).digest('hex');
          await audit.record(entry(i), tx.manager);
        }),
      );
      await audit.chain.seal();
      audit.chain.start();
      const sealedAfter = await writeAll((i) => db.transaction((tx) => audit.record(entry(i), tx.manager)));
      await audit.chain.stop();
      console.log(`chained at insert under a lock (baseline): ${rate(total, locked)}`);
      console.log(`sealed after commit, sealer running:       ${rate(total, sealedAfter)}  (${(locked / sealedAfter).toFixed(2)}× the baseline)`);

      const sealStarted = process.hrtime.bigint();
      const sealed = await audit.chain.seal();
      const sealSeconds = Number(process.hrtime.bigint() - sealStarted) / 1e9;
      const readStarted = process.hrtime.bigint();
      for (let after = '0'; ; ) {
        const rows = await db.manager.query('SELECT * FROM audit_event WHERE seq > $1 ORDER BY seq LIMIT 1000', [after]);
        if (rows.length < 1000) break;
        after = String(rows[rows.length - 1].seq);
      }
      const readSeconds = Number(process.hrtime.bigint() - readStarted) / 1e9;
      const verifyStarted = process.hrtime.bigint();
      const verification = await audit.chain.verify();
      const verifySeconds = Number(process.hrtime.bigint() - verifyStarted) / 1e9;
      if (!verification.intact) throw new Error(`chain broken: ${verification.problem?.message}`);
      console.log(`left for a final seal: ${sealed} rows${sealed ? ` (${rate(sealed, sealSeconds)})` : ''}`);
      console.log(`verify ${verification.rows} rows: ${rate(verification.rows, verifySeconds)}  (${(verifySeconds / readSeconds).toFixed(2)}× a plain paged read of the same rows)`);
    } finally {
      await db.close();
    }
  });
}
