import { insertRows } from '../../db/bulk.ts';
import { isUniqueViolationOf } from '../../db/dialect.ts';
import type { Db, Tx } from '../../db/index.ts';
import { addDays, nowIso, todayIso } from '../../lib/dates.ts';
import { createInvoices, type InvoiceRow } from '../ledger/invoices.ts';
import type { Bill, CustomerToBill } from './bill.ts';
import type { BillingPeriod } from './periods.ts';
import { callsBefore } from './queries.ts';

/** An invoice falls due this long after it is issued. */
const DUE_AFTER_DAYS = 30;

export type ToInvoice = { customer: CustomerToBill; bill: Bill };

export type Invoiced = { invoices: number; cents: number };

/**
 * A chunk's invoices, in one transaction: through the ledger in bulk, each customer's period recorded
 * in `billed_periods`, the calls summed in its bill marked billed, commissions accrued, and then what
 * `alongside` writes (the run's progress), so that a chunk costs one commit. A customer billed for the
 * period since the chunk was read (by another run) is left out; if another process bills one of them
 * meanwhile (the unique key of `billed_periods` refuses ours), the chunk is tried again without it.
 */
export async function invoiceCustomers(
  db: Db,
  runId: number,
  period: BillingPeriod,
  chunk: ToInvoice[],
  alongside: (trx: Tx, invoiced: Invoiced) => Promise<void>,
): Promise<Invoiced> {
  for (;;) {
    try {
      return await db.transaction(async (trx) => {
        const invoiced = await invoiceCustomersIn(trx, runId, period, chunk);
        await alongside(trx, invoiced);
        return invoiced;
      });
    } catch (error) {
      if (!isUniqueViolationOf(error, 'billed_periods', ['customer_id', 'period'])) throw error;
    }
  }
}

async function invoiceCustomersIn(
  trx: Tx,
  runId: number,
  period: BillingPeriod,
  chunk: ToInvoice[],
): Promise<Invoiced> {
  if (chunk.length === 0) return { invoices: 0, cents: 0 };
  const billed = new Set(
    await trx('billed_periods')
      .where('period', period.period)
      .whereIn(
        'customer_id',
        chunk.map((c) => c.customer.id),
      )
      .pluck('customer_id'),
  );
  const fresh = chunk.filter((c) => !billed.has(c.customer.id));
  if (fresh.length === 0) return { invoices: 0, cents: 0 };
  // Issued on the period's last day, or today when the period is run late (ISO dates sort as text).
  const issuedOn = [todayIso(), period.end].sort()[1];
  const invoices = await createInvoices(
    trx,
    fresh.map(({ customer, bill }) => ({
      customerId: customer.id,
      issuedOn,
      dueOn: addDays(issuedOn, DUE_AFTER_DAYS),
      memo: `Bill run ${period.period}`,
      lines: bill.lines,
    })),
    { userId: null },
  );
  await insertRows(
    trx,
    'billed_periods',
    fresh.map(({ customer }, i) => ({
      customer_id: customer.id,
      period: period.period,
      bill_run_id: runId,
      invoice_id: invoices[i].id,
    })),
  );
  await markCallsBilled(trx, period, fresh, invoices);
  await insertRows(
    trx,
    'commission_accruals',
    fresh.flatMap(({ bill }, i) =>
      bill.accruals.map((a) => ({
        invoice_id: invoices[i].id,
        plan_id: a.planId,
        period: period.period,
        payee_kind: a.payeeKind,
        payee: a.payee,
        base_cents: a.baseCents,
        amount_cents: a.cents,
        created_at: nowIso(),
      })),
    ),
  );
  return { invoices: invoices.length, cents: fresh.reduce((sum, { bill }) => sum + bill.totalCents, 0) };
}

/**
 * The calls summed when the bills were worked out take their customer's new invoice, in one statement
 * for the chunk; a call that arrived since then waits for the next run, and a bill whose calls changed
 * meanwhile (a sum that no longer matches) fails the chunk.
 */
async function markCallsBilled(trx: Tx, period: BillingPeriod, fresh: ToInvoice[], invoices: InvoiceRow[]) {
  const expected = new Map<number, number>();
  const services: number[] = [];
  fresh.forEach(({ bill }, i) => {
    const usage = bill.charges.filter((c) => c.kind === 'usage');
    if (usage.length === 0) return;
    services.push(...usage.map((c) => c.serviceId));
    expected.set(
      invoices[i].id,
      usage.reduce((sum, c) => sum + c.cents, 0),
    );
  });
  if (services.length === 0) return;
  await trx('cdrs')
    .whereIn('service_id', services)
    .whereNull('invoice_id')
    .whereNotNull('rated_cents')
    .where('started_at', '<', callsBefore(period))
    .update({
      invoice_id: trx('billed_periods as b')
        .whereRaw('b.customer_id = cdrs.customer_id')
        .where('b.period', period.period)
        .select('b.invoice_id'),
    });
  const sums: { invoice_id: number; cents: number }[] = await trx('cdrs')
    .whereIn('invoice_id', [...expected.keys()])
    .groupBy('invoice_id')
    .select('invoice_id', trx.raw('sum(rated_cents) as cents'));
  const billedCents = new Map(sums.map((s) => [s.invoice_id, Number(s.cents)]));
  for (const [invoiceId, cents] of expected) {
    if ((billedCents.get(invoiceId) ?? 0) !== cents)
      throw new Error(`the calls of invoice ${invoiceId} changed while billing`);
  }
}
