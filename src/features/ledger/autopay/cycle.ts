import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Actor } from '../../../auth/principal.ts';
import { insertNewRows, insertRows } from '../../../db/bulk.ts';
import { letOtherWritersIn } from '../../../db/dialect.ts';
import { type Db, inTransaction, type Queryable, type Tx } from '../../../db/index.ts';
import { nowIso } from '../../../lib/dates.ts';
import { auditCreatedMany, recordChangesOfMany } from '../../audit/audit.ts';
import { applyChargeResult } from '../charging.ts';
import { type ChargeResult, GatewayTimeoutError, type PaymentGateway } from '../gateway.ts';
import type { PaymentRow } from '../payments.ts';
import { customersWithBillingRecipients, queueAutopayDeclined, queuePaymentReceipt } from '../receipts.ts';
import { type AutopayDecision, planAutopay, type SkipReason } from './engine.ts';
import { autopayKey, configurationsOf, customersWithAutopay, openAutopayInvoices } from './queries.ts';

const system: Actor = { userId: null, actingAs: 'autopay cycle' };

/** Customers per chunk: one read, one transaction and one batch of gateway calls each, then the loop yields. */
const CUSTOMERS_PER_CHUNK = 250;
/** Rows per multi-row INSERT, well inside SQLite's limit on bound variables. */
const ROWS_PER_INSERT = 200;

export type CycleSummary = {
  date: string;
  dryRun: boolean;
  invoices: number;
  /** Payments this run made (a dry run: would make), and their total. */
  payments: number;
  paymentCents: number;
  declined: number;
  skipped: Record<SkipReason, number>;
};

export type CycleOptions = {
  /** The cycle date (YYYY-MM-DD): the idempotency keys carry it, so one date's cycle pays an invoice once. */
  date: string;
  dryRun?: boolean;
  /** Sees every decision, in order (the script prints them). */
  onDecision?: (decision: AutopayDecision) => void;
};

/** The decisions of the cycle of `date` for some customers, read from the database; a dry run is only this. */
export async function planForCustomers(db: Queryable, customerIds: readonly number[], date: string) {
  // One after the other: inside the cycle's transaction they share one PostgreSQL connection.
  const configurations = await configurationsOf(db, customerIds);
  const invoices = await openAutopayInvoices(db, customerIds, date);
  return planAutopay({ invoices, configurations, today: date });
}

type Charge = { payment: PaymentRow; token: string; invoiceId: number; invoiceNumber: string };

/**
 * The Autopay cycle (E12): walks the customers with enabled configurations in chunks. Per chunk, one
 * transaction reads the invoices afresh (locked on PostgreSQL), asks the engine and inserts a pending
 * payment per decision with the key "autopay:<invoice>:<date>", unique in `payments`; the payments a
 * concurrent run inserted first are not returned by the insert and so are not charged here. After the
 * commit the gateway is called (never inside a transaction), and the answers are recorded in a second
 * transaction with the receipts and the declined notices. Running it twice, or in two processes at
 * once, pays each invoice once per date; a declined payment keeps its key, so it is not retried that day.
 */
export async function runAutopayCycle(db: Db, gateway: PaymentGateway, options: CycleOptions): Promise<CycleSummary> {
  const summary: CycleSummary = {
    date: options.date,
    dryRun: Boolean(options.dryRun),
    invoices: 0,
    payments: 0,
    paymentCents: 0,
    declined: 0,
    skipped: { paid: 0, pending: 0, scheduled: 0, tried: 0, no_match: 0, method_expired: 0 },
  };
  let after = 0;
  for (;;) {
    const customerIds = await customersWithAutopay(db, after, CUSTOMERS_PER_CHUNK);
    if (customerIds.length === 0) return summary;
    after = customerIds[customerIds.length - 1];
    if (options.dryRun) {
      tally(summary, await planForCustomers(db, customerIds, options.date), options.onDecision);
    } else {
      const charges = await writeBatch(db, async (trx) => {
        const decisions = await planForCustomers(trx, customerIds, options.date);
        tally(summary, decisions, options.onDecision);
        return insertPayments(trx, decisions, options.date);
      });
      summary.declined += await chargeAndRecord(db, gateway, charges);
    }
    await yieldToEventLoop();
  }
}

/** One of the cycle's write transactions, then a turn for other writers (on SQLite the lock is the database's). */
async function writeBatch<T>(db: Queryable, work: (trx: Tx) => Promise<T>): Promise<T> {
  const result = await inTransaction(db, work);
  await letOtherWritersIn(db);
  return result;
}

function tally(summary: CycleSummary, decisions: AutopayDecision[], onDecision?: (d: AutopayDecision) => void) {
  for (const d of decisions) {
    summary.invoices++;
    if (d.action === 'pay') {
      summary.payments++;
      summary.paymentCents += d.amountCents;
    } else summary.skipped[d.reason]++;
    onDecision?.(d);
  }
}

/** Pending payments for the chunk's "pay" decisions; returns those this call inserted, to be charged. */
async function insertPayments(trx: Queryable, decisions: AutopayDecision[], date: string): Promise<Charge[]> {
  const pays = decisions.filter((d) => d.action === 'pay');
  const now = nowIso();
  const charges: Charge[] = [];
  for (let start = 0; start < pays.length; start += ROWS_PER_INSERT) {
    const batch = pays.slice(start, start + ROWS_PER_INSERT);
    const byKey = new Map(batch.map((d) => [autopayKey(d.invoice.id, date), d]));
    const inserted = await insertNewRows<PaymentRow>(
      trx,
      'payments',
      'idempotency_key',
      batch.map((d) => ({
        customer_id: d.invoice.customerId,
        amount_cents: d.amountCents,
        method: d.method.kind,
        payment_method_id: d.method.id,
        status: 'pending',
        source: 'autopay',
        paid_on: date,
        idempotency_key: autopayKey(d.invoice.id, date),
        submitted_at: now,
        created_by: null,
        created_at: now,
      })),
    );
    if (inserted.length === 0) continue;
    const made = inserted.map((payment) => ({ payment, decision: byKey.get(payment.idempotency_key)! }));
    await insertRows(
      trx,
      'payment_applications',
      made.map(({ payment, decision }) => ({
        payment_id: payment.id,
        invoice_id: decision.invoice.id,
        amount_cents: payment.amount_cents,
      })),
    );
    await auditCreatedMany(
      trx,
      made.map(({ payment, decision }) => ({
        target: { table: 'payments', id: payment.id, customerId: payment.customer_id, actor: system },
        values: {
          amount_cents: payment.amount_cents,
          method: payment.method,
          status: payment.status,
          source: payment.source,
          paid_on: payment.paid_on,
          autopay_configuration_id: decision.action === 'pay' ? decision.configurationId : null,
        },
      })),
    );
    for (const { payment, decision } of made)
      charges.push({ payment, token: '', invoiceId: decision.invoice.id, invoiceNumber: decision.invoice.number });
    await yieldToEventLoop();
  }
  if (charges.length === 0) return charges;
  const tokens = new Map<number, string>(
    (
      await trx('payment_methods')
        .whereIn('id', [...new Set(charges.map((c) => c.payment.payment_method_id as number))])
        .select('id', 'gateway_token')
    ).map((m: { id: number; gateway_token: string }) => [m.id, m.gateway_token]),
  );
  for (const charge of charges) charge.token = tokens.get(charge.payment.payment_method_id as number) ?? '';
  return charges;
}

/**
 * Charges the committed payments, then records every answer in one transaction. A time-out leaves the
 * payment pending with its key, for the payments janitor to ask again. Returns how many were declined.
 */
async function chargeAndRecord(db: Db, gateway: PaymentGateway, charges: Charge[]): Promise<number> {
  if (charges.length === 0) return 0;
  const answers: { charge: Charge; result: ChargeResult }[] = [];
  for (const charge of charges) {
    try {
      const result = await gateway.charge({
        token: charge.token,
        amountCents: charge.payment.amount_cents,
        idempotencyKey: charge.payment.idempotency_key,
      });
      answers.push({ charge, result });
    } catch (error) {
      if (!(error instanceof GatewayTimeoutError)) throw error;
    }
  }
  let declined = 0;
  await writeBatch(db, async (trx) => {
    const approved = answers.filter((a) => a.result.status === 'approved');
    await settleApproved(trx, approved);
    for (const { charge, result } of answers) {
      if (result.status === 'approved') continue;
      // Declined (and ACH still processing) are few: the payments module records them one by one.
      await applyChargeResult(trx, charge.payment.id, result, system);
      if (result.status === 'declined') declined++;
    }
    const notified = await customersWithBillingRecipients(trx, [
      ...new Set(answers.map((a) => a.charge.payment.customer_id)),
    ]);
    for (const { charge, result } of answers) {
      if (!notified.has(charge.payment.customer_id)) continue;
      if (result.status === 'declined')
        await queueAutopayDeclined(trx, { ...charge.payment, status: 'failed', failure_reason: result.reason }, [
          charge.invoiceNumber,
        ]);
      else await queuePaymentReceipt(trx, charge.payment, [charge.invoiceNumber]);
    }
  });
  return declined;
}

/**
 * Settles a batch of approved Autopay payments in a few statements instead of several per payment (the
 * cycle pays tens of thousands): each pays one invoice in full (no remainder, so no credit), and only
 * those still pending settle, so a payment the janitor reached first is left as it is.
 */
async function settleApproved(trx: Queryable, approved: { charge: Charge; result: ChargeResult }[]): Promise<void> {
  for (let start = 0; start < approved.length; start += ROWS_PER_INSERT) {
    const batch = approved.slice(start, start + ROWS_PER_INSERT);
    const pending = new Set<number>(
      await trx('payments')
        .whereIn(
          'id',
          batch.map((a) => a.charge.payment.id),
        )
        .where('status', 'pending')
        .pluck('id'),
    );
    const settling = batch.filter((a) => pending.has(a.charge.payment.id));
    if (settling.length === 0) continue;
    const ids = settling.map((a) => a.charge.payment.id);
    const refs = settling.flatMap((a) => [a.charge.payment.id, a.result.ref]);
    await trx('payments')
      .whereIn('id', ids)
      .update({
        status: 'settled',
        settled_at: nowIso(),
        version: trx.raw('version + 1'),
        gateway_ref: trx.raw(`CASE id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END`, refs),
      });
    // Each payment was applied whole to its one invoice (insertPayments): its amount comes off that invoice
    // (typed, as PostgreSQL cannot infer a parameter's type inside CASE).
    await trx('invoices')
      .whereIn(
        'id',
        settling.map((a) => a.charge.invoiceId),
      )
      .update({
        open_cents: trx.raw(
          `open_cents - CASE id ${settling.map(() => 'WHEN ? THEN CAST(? AS integer)').join(' ')} END`,
          settling.flatMap((a) => [a.charge.invoiceId, a.charge.payment.amount_cents]),
        ),
      });
    await recordChangesOfMany(
      trx,
      settling.map(({ charge }) => ({
        target: { table: 'payments', id: charge.payment.id, customerId: charge.payment.customer_id, actor: system },
        before: { status: 'pending' },
        after: { status: 'settled' },
      })),
    );
    await yieldToEventLoop();
  }
}
