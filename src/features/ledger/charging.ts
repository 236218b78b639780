import type { Actor } from '../../auth/principal.ts';
import type { Db, Queryable } from '../../db/index.ts';
import { type ChargeResult, GatewayTimeoutError, type PaymentGateway } from './gateway.ts';
import {
  claimScheduledPayment,
  failPayment,
  type NewPayment,
  type PaymentRow,
  recordPayment,
  settlePayment,
} from './payments.ts';
import { queuePaymentReceipt } from './receipts.ts';

const system: Actor = { userId: null, actingAs: 'payments job' };

/**
 * *CONFIRM* on a payment form: records it, sends it to the gateway when it starts today, and queues the
 * receipt unless it failed. Submitting the same form again (same idempotency key) only shows the first
 * result: nothing is charged, recorded or e-mailed twice.
 */
export async function startPayment(
  db: Db,
  gateway: PaymentGateway,
  input: NewPayment,
  actor: Actor,
): Promise<{ payment: PaymentRow; created: boolean }> {
  // A check is settled as it is recorded: its receipt is queued in the same transaction.
  const check = input.method === 'check';
  const recorded = await recordPayment(db, input, actor, check ? queueReceipt : undefined);
  if (!recorded.created || check) return recorded;
  const payment = await chargePendingPayment(db, gateway, recorded.payment.id, actor);
  if (payment.status !== 'failed') await db.transaction((trx) => queueReceipt(trx, payment));
  return { payment, created: true };
}

async function queueReceipt(trx: Queryable, payment: PaymentRow): Promise<void> {
  const invoiceNumbers: string[] = await trx('payment_applications as pa')
    .join('invoices as i', 'i.id', 'pa.invoice_id')
    .where('pa.payment_id', payment.id)
    .orderBy('i.due_on')
    .pluck('i.number');
  await queuePaymentReceipt(trx, payment, invoiceNumbers);
}

/**
 * Sends a pending payment to the gateway and records the answer. The payment row (with its idempotency
 * key) was committed before this call and the answer is recorded in a new transaction afterwards: the
 * gateway is never called inside a transaction. A time-out leaves it pending for `settleLeftovers`.
 */
export async function chargePendingPayment(
  db: Db,
  gateway: PaymentGateway,
  paymentId: number,
  actor: Actor = system,
): Promise<PaymentRow> {
  const payment: PaymentRow & { gateway_token: string | null; removed_at: string | null } = await db('payments as p')
    .leftJoin('payment_methods as m', 'm.id', 'p.payment_method_id')
    .where('p.id', paymentId)
    .first('p.*', 'm.gateway_token', 'm.removed_at');
  if (payment.status === 'pending' && payment.method !== 'check') {
    if (!payment.gateway_token || payment.removed_at) {
      await db.transaction((trx) =>
        failPayment(trx, paymentId, 'The payment method was removed before the payment ran.', actor),
      );
    } else {
      let result: ChargeResult | undefined;
      try {
        result = await gateway.charge({
          token: payment.gateway_token,
          amountCents: payment.amount_cents,
          idempotencyKey: payment.idempotency_key,
        });
      } catch (error) {
        if (!(error instanceof GatewayTimeoutError)) throw error;
      }
      if (result) await recordChargeResult(db, paymentId, result, actor);
    }
  }
  return (await db<PaymentRow>('payments').where('id', paymentId).first())!;
}

async function recordChargeResult(db: Db, paymentId: number, result: ChargeResult, actor: Actor): Promise<void> {
  await db.transaction((trx) => applyChargeResult(trx, paymentId, result, actor));
}

/** The gateway's answer on a pending payment, in the caller's transaction (the Autopay cycle records a batch in one). */
export async function applyChargeResult(
  trx: Queryable,
  paymentId: number,
  result: ChargeResult,
  actor: Actor,
): Promise<void> {
  if (result.status === 'approved') await settlePayment(trx, paymentId, actor, result.ref);
  else if (result.status === 'declined') await failPayment(trx, paymentId, result.reason, actor, result.ref);
  else await trx('payments').where({ id: paymentId, status: 'pending' }).update({ gateway_ref: result.ref });
}

/**
 * The scheduled-payments job: runs every scheduled payment due by `now`. Each is claimed in the database
 * first (scheduled → pending, only if still scheduled), so two processes running this at the same moment
 * charge and settle each payment exactly once. Returns how many this call claimed.
 */
export async function runDueScheduledPayments(db: Db, gateway: PaymentGateway, now: Date): Promise<number> {
  const today = now.toISOString().slice(0, 10);
  let claimed = 0;
  for (;;) {
    const due: number[] = await db('payments')
      .where('status', 'scheduled')
      .where('paid_on', '<=', today)
      .orderBy('id')
      .limit(100)
      .pluck('id');
    if (due.length === 0) return claimed;
    for (const id of due) {
      if (!(await claimScheduledPayment(db, id, now.toISOString(), system))) continue;
      claimed++;
      await chargePendingPayment(db, gateway, id);
    }
  }
}

/**
 * The janitor: finishes pending payments left behind by a crash or a gateway time-out (asks again with
 * the same idempotency key, so nothing is charged twice) and collects ACH debits that have settled.
 * Payments submitted less than `staleAfterMs` ago are left alone: a request may still be waiting for them.
 */
export async function settleLeftovers(
  db: Db,
  gateway: PaymentGateway,
  now: Date,
  staleAfterMs = 60_000,
): Promise<void> {
  const staleBefore = new Date(now.getTime() - staleAfterMs).toISOString();
  const unanswered: number[] = await db('payments')
    .where('status', 'pending')
    .whereNot('method', 'check')
    .whereNull('gateway_ref')
    .where('submitted_at', '<=', staleBefore)
    .orderBy('id')
    .limit(500)
    .pluck('id');
  for (const id of unanswered) await chargePendingPayment(db, gateway, id);

  const processing: { id: number; gateway_ref: string }[] = await db('payments')
    .where('status', 'pending')
    .whereNotNull('gateway_ref')
    .orderBy('id')
    .limit(500)
    .select('id', 'gateway_ref');
  for (const payment of processing) {
    const result = await gateway.retrieve(payment.gateway_ref);
    if (result.status !== 'processing') await recordChargeResult(db, payment.id, result, system);
  }
}

/** Both payment jobs, as the scheduler runs them. */
export async function runPaymentJobs(db: Db, gateway: PaymentGateway, now = new Date()): Promise<void> {
  await runDueScheduledPayments(db, gateway, now);
  await settleLeftovers(db, gateway, now);
}
