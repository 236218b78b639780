import type { Actor } from '../../auth/principal.ts';
import { isUniqueViolationOf } from '../../db/dialect.ts';
import type { Db, Queryable, Tx } from '../../db/index.ts';
import { addDays, nowIso, todayIso } from '../../lib/dates.ts';
import { HttpError } from '../../lib/http-error.ts';
import { createInvoice } from '../ledger/invoices.ts';
import { type Bill, type BillProblem, type CustomerToBill, composeBill, type RunRules } from './bill.ts';
import type { ChargeKind } from './charges.ts';
import { type BillingPeriod, billingPeriod } from './periods.ts';
import { callsBefore, countCustomersToBill, customerIdsToBill, customersToBill, runRules } from './queries.ts';

/** Customers read and billed together: a few queries per chunk, a transaction per customer. */
const CHUNK = 200;
const PREVIEW_ROWS = 100;
const PROBLEMS_KEPT = 500;
const DUE_AFTER_DAYS = 30;
const STALLED_AFTER_MS = 15 * 60_000;

export type PreviewRow = {
  customerId: number;
  name: string;
  accountNumber: string;
  chargesCents: number;
  taxCents: number;
  totalCents: number;
  problems: number;
};
export type Preview = {
  period: string;
  customers: number;
  invoices: number;
  totalCents: number;
  taxCents: number;
  byKind: Record<ChargeKind, number>;
  rows: PreviewRow[];
  problems: (BillProblem & { customerId: number; customerName: string })[];
  problemCount: number;
};

/** Walks the customers with something to bill, a chunk at a time, each with its bill. */
async function* billsOfPeriod(db: Queryable, period: BillingPeriod, rules: RunRules) {
  let after = 0;
  for (;;) {
    const ids = await customerIdsToBill(db, period, after, CHUNK);
    if (ids.length === 0) return;
    const customers = await customersToBill(db, ids, period);
    yield customers.map((customer) => ({ customer, bill: composeBill(customer, period, rules) }));
    after = ids[ids.length - 1];
  }
}

/** What committing the period would make (F1): totals per customer and every problem, with its fix. */
export async function previewBillRun(db: Queryable, periodText: string): Promise<Preview> {
  const period = billingPeriod(periodText);
  const preview: Preview = {
    period: period.period,
    customers: 0,
    invoices: 0,
    totalCents: 0,
    taxCents: 0,
    byKind: { recurring: 0, usage: 0, setup: 0 },
    rows: [],
    problems: [],
    problemCount: 0,
  };
  for await (const chunk of billsOfPeriod(db, period, await runRules(db))) {
    for (const { customer, bill } of chunk) {
      preview.customers++;
      const taxCents = bill.taxes.reduce((sum, t) => sum + t.cents, 0);
      if (bill.problems.length === 0 && bill.totalCents > 0) {
        preview.invoices++;
        preview.totalCents += bill.totalCents;
        preview.taxCents += taxCents;
        for (const kind of Object.keys(bill.byKind) as ChargeKind[]) preview.byKind[kind] += bill.byKind[kind];
      }
      if (preview.rows.length < PREVIEW_ROWS) {
        preview.rows.push({
          customerId: customer.id,
          name: customer.name,
          accountNumber: customer.accountNumber,
          chargesCents: bill.totalCents - taxCents,
          taxCents,
          totalCents: bill.totalCents,
          problems: bill.problems.length,
        });
      }
      preview.problemCount += bill.problems.length;
      for (const problem of bill.problems) {
        if (preview.problems.length < PROBLEMS_KEPT)
          preview.problems.push({ ...problem, customerId: customer.id, customerName: customer.name });
      }
    }
  }
  return preview;
}

/** Starts a run of the period (the row its progress is written to); one at a time per period. */
export async function startBillRun(db: Db, periodText: string, actor: Actor): Promise<number> {
  const period = billingPeriod(periodText);
  // A run that has not moved for a while died with its process; what it committed stays committed.
  await db('bill_runs')
    .where({ period: period.period, status: 'running' })
    .where('updated_at', '<', new Date(Date.now() - STALLED_AFTER_MS).toISOString())
    .update({ status: 'failed', failure: 'It stopped making progress.', finished_at: nowIso() });
  const running = await db('bill_runs').where({ period: period.period, status: 'running' }).first('id');
  if (running) throw new HttpError(409, `A bill run for ${period.period} is already running.`);
  const [{ id }] = await db('bill_runs')
    .insert({
      period: period.period,
      status: 'running',
      customers_total: await countCustomersToBill(db, period),
      created_by: actor.userId,
      created_at: nowIso(),
      updated_at: nowIso(),
    })
    .returning('id');
  return id;
}

export type Progress = { customersDone: number; customersTotal: number; invoicesMade: number; errors: number };

/**
 * Commits a started run: one invoice per customer through the ledger, its calls marked billed, its
 * commissions accrued, all in one transaction per customer. A customer with a problem is skipped and
 * the problem recorded; a customer already billed for the period (by this run or another) gets nothing
 * new, since `billed_periods` has one row per customer and period.
 */
export async function commitBillRun(db: Db, runId: number, onProgress?: (progress: Progress) => void): Promise<void> {
  const run = await db('bill_runs').where('id', runId).first();
  const period = billingPeriod(run.period);
  const rules = await runRules(db);
  const progress: Progress = { customersDone: 0, customersTotal: run.customers_total, invoicesMade: 0, errors: 0 };
  let totalCents = 0;
  try {
    for await (const chunk of billsOfPeriod(db, period, rules)) {
      const problems = [];
      for (const { customer, bill } of chunk) {
        progress.customersDone++;
        if (bill.problems.length > 0) {
          progress.errors++;
          problems.push(
            ...bill.problems.map((p) => ({
              bill_run_id: runId,
              customer_id: customer.id,
              kind: p.kind,
              message: p.message,
              fix_href: p.fixHref,
              fix_label: p.fixLabel,
            })),
          );
          continue;
        }
        if (bill.totalCents <= 0) continue;
        if (await invoiceCustomer(db, runId, period, customer, bill)) {
          progress.invoicesMade++;
          totalCents += bill.totalCents;
        }
      }
      if (problems.length > 0) {
        const room =
          PROBLEMS_KEPT -
          Number((await db('bill_run_problems').where('bill_run_id', runId).count({ n: '*' }).first())?.n ?? 0);
        if (room > 0) await db('bill_run_problems').insert(problems.slice(0, room));
      }
      await db('bill_runs')
        .where('id', runId)
        .update({
          customers_done: progress.customersDone,
          customers_total: Math.max(progress.customersDone, progress.customersTotal),
          invoices_made: progress.invoicesMade,
          errors_count: progress.errors,
          total_cents: totalCents,
          updated_at: nowIso(),
        });
      onProgress?.(progress);
    }
    await db('bill_runs')
      .where('id', runId)
      .update({ status: 'done', customers_total: progress.customersDone, finished_at: nowIso() });
  } catch (error) {
    await db('bill_runs')
      .where('id', runId)
      .update({ status: 'failed', failure: String((error as Error).message).slice(0, 500), finished_at: nowIso() });
    throw error;
  }
}

/** One customer's invoice, in one transaction; false when the period was already billed for it. */
async function invoiceCustomer(db: Db, runId: number, period: BillingPeriod, customer: CustomerToBill, bill: Bill) {
  // Issued on the period's last day, or today when the period is run late (ISO dates sort as text).
  const issuedOn = [todayIso(), period.end].sort()[1];
  try {
    await db.transaction(async (trx: Tx) => {
      const invoice = await createInvoice(
        trx,
        {
          customerId: customer.id,
          issuedOn,
          dueOn: addDays(issuedOn, DUE_AFTER_DAYS),
          memo: `Bill run ${period.period}`,
          lines: bill.lines,
        },
        { userId: null },
      );
      await trx('billed_periods').insert({
        customer_id: customer.id,
        period: period.period,
        bill_run_id: runId,
        invoice_id: invoice.id,
      });
      // The calls summed when the bill was worked out; a call that arrived since then waits for the next run.
      const usage = bill.charges.filter((c) => c.kind === 'usage').map((c) => c.serviceId);
      if (usage.length > 0) {
        await trx('cdrs')
          .whereIn('service_id', usage)
          .whereNull('invoice_id')
          .whereNotNull('rated_cents')
          .where('started_at', '<', callsBefore(period))
          .update({ invoice_id: invoice.id });
        const billed = await trx('cdrs').where('invoice_id', invoice.id).sum({ cents: 'rated_cents' }).first();
        const expected = bill.charges.filter((c) => c.kind === 'usage').reduce((sum, c) => sum + c.cents, 0);
        if (Number(billed?.cents ?? 0) !== expected) throw new Error(`calls of ${customer.name} changed while billing`);
      }
      if (bill.accruals.length > 0) {
        await trx('commission_accruals').insert(
          bill.accruals.map((a) => ({
            invoice_id: invoice.id,
            plan_id: a.planId,
            period: period.period,
            payee_kind: a.payeeKind,
            payee: a.payee,
            base_cents: a.baseCents,
            amount_cents: a.cents,
            created_at: nowIso(),
          })),
        );
      }
    });
    return true;
  } catch (error) {
    if (isUniqueViolationOf(error, 'billed_periods', ['customer_id', 'period'])) return false;
    throw error;
  }
}
