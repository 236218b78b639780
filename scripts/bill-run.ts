/**
 * The bill run for a period (D6, F1), as on the Bill Run page:
 *   npm run bill-run -- --period 2026-11 [--preview]
 * The preview lists every problem with its fix; without --preview the period is committed, with a
 * progress line. Committing a period again bills only the customers not billed for it yet.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/index.ts';
import { commitBillRun, previewBillRun, startBillRun } from '../src/features/bill-run/bill-run.ts';
import { PERIOD_PATTERN } from '../src/features/bill-run/periods.ts';
import { formatCents } from '../src/lib/money.ts';

const { values } = parseArgs({ options: { period: { type: 'string' }, preview: { type: 'boolean' } } });
if (!values.period || !PERIOD_PATTERN.test(values.period)) {
  console.error('Usage: npm run bill-run -- --period YYYY-MM [--preview]');
  process.exit(2);
}
const db = createDb(loadConfig().database);
try {
  const preview = await previewBillRun(db, values.period);
  for (const p of preview.problems) console.log(`problem: ${p.customerName}: ${p.message} (fix: ${p.fixHref})`);
  console.log(
    `${values.period}: ${preview.invoices} invoices for ${formatCents(preview.totalCents)} to ${preview.customers} customers, ${preview.problemCount} problems.`,
  );
  if (!values.preview) {
    const runId = await startBillRun(db, values.period, { userId: null });
    const interactive = process.stdout.isTTY;
    await commitBillRun(db, runId, (p) => {
      const width = 30;
      const done = p.customersTotal ? Math.round((p.customersDone / p.customersTotal) * width) : width;
      const line = `[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${p.customersDone}/${p.customersTotal} customers, ${p.invoicesMade} invoices, ${p.errors} errors`;
      if (interactive) process.stdout.write(`\r${line}`);
      else console.log(line);
    });
    const run = await db('bill_runs').where('id', runId).first();
    console.log(
      `${interactive ? '\n' : ''}Bill run ${runId} ${run.status}: ${run.invoices_made} invoices, ${formatCents(Number(run.total_cents))}, ${run.errors_count} errors.`,
    );
  }
} finally {
  await db.destroy();
}
