/**
 * Runs the Autopay cycle now (E12), or only shows what it would do (F2):
 *   npm run autopay -- [--dry-run] [--date YYYY-MM-DD]
 * The date defaults to today (UTC). The same date's cycle pays an invoice once however often it runs.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/index.ts';
import { runAutopayCycle } from '../src/features/ledger/autopay/cycle.ts';
import { skipReasonTexts } from '../src/features/ledger/autopay/engine.ts';
import { processGateway } from '../src/features/ledger/gateway.ts';
import { todayIso } from '../src/lib/dates.ts';
import { formatCents } from '../src/lib/money.ts';

const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean' }, date: { type: 'string' } } });
const date = values.date ?? todayIso();
if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
  console.error('--date takes a date as YYYY-MM-DD.');
  process.exit(2);
}
const dryRun = values['dry-run'] ?? false;
const db = createDb(loadConfig().database);
try {
  const summary = await runAutopayCycle(db, processGateway, {
    date,
    dryRun,
    onDecision: (d) =>
      console.log(
        d.action === 'pay'
          ? `${dryRun ? 'would pay' : 'pays'} ${d.invoice.number} ${formatCents(d.amountCents)} with ${d.method.label}`
          : `skips ${d.invoice.number} because ${skipReasonTexts[d.reason]}`,
      ),
  });
  console.log(
    `${dryRun ? 'Dry run of the' : 'The'} Autopay cycle of ${date}: ${summary.invoices} open invoices, ` +
      `${summary.payments} payments (${formatCents(summary.paymentCents)})${dryRun ? '' : `, ${summary.declined} declined`}.`,
  );
} finally {
  await db.destroy();
}
