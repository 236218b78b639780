import type { Actor } from '../../auth/principal.ts';
import { isUniqueViolation } from '../../db/dialect.ts';
import { type Db, inTransaction, type Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import { HttpError } from '../../lib/http-error.ts';
import { AMOUNT_TOO_LARGE, formatCents, isBoundedCents } from '../../lib/money.ts';
import { auditCreated, recordChanges } from '../audit/audit.ts';
import { LedgerError } from './errors.ts';
import { allocate, payableInvoices, reduceOpenBalance } from './invoices.ts';

export const paymentStatuses = ['pending', 'scheduled', 'settled', 'failed', 'cancelled'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];
export type PaymentSource = 'manual' | 'portal' | 'autopay' | 'external';
export type PaymentMethodKind = 'card' | 'ach' | 'check';

export type PaymentRow = {
  id: number;
  customer_id: number;
  amount_cents: number;
  method: PaymentMethodKind;
  payment_method_id: number | null;
  reference: string | null;
  status: PaymentStatus;
  source: PaymentSource;
  paid_on: string;
  idempotency_key: string;
  gateway_ref: string | null;
  submitted_at: string | null;
  settled_at: string | null;
  failure_reason: string | null;
  created_by: number | null;
  created_at: string;
  version: number;
};

export type NewPayment = {
  customerId: number;
  amountCents: number;
  method: PaymentMethodKind;
  paymentMethodId?: number | null;
  reference?: string | null;
  source: PaymentSource;
  /** The day the payment happens: today starts it, a later day schedules it. */
  paidOn: string;
  today: string;
  invoiceIds: number[];
  /**
   * What to do with money beyond what the invoices may still take: 'refuse' (the default) or keep it as
   * an unapplied-payment credit. A check already received always keeps its remainder.
   */
  remainder: 'refuse' | 'credit';
  idempotencyKey: string;
};

/** Transaction numbers shown to users ("TX-0000042"). */
export function transactionNumberFor(id: number): string {
  return `TX-${String(id).padStart(7, '0')}`;
}

/**
 * Records a payment and which invoices it pays, in one transaction. A check (paid outside) settles at
 * once; a card or ACH payment is pending (to be sent to the gateway) or scheduled for a later day.
 * The same idempotency key always yields the one payment first recorded with it (`created: false`).
 */
export async function recordPayment(
  db: Db,
  input: NewPayment,
  actor: Actor,
  /** More writes of a new payment's transaction (a settled check's receipt: one commit, one wait for the disk). */
  alsoWrite?: (trx: Queryable, payment: PaymentRow) => Promise<void>,
): Promise<{ payment: PaymentRow; created: boolean }> {
  const existing = await paymentByKey(db, input);
  if (existing) return { payment: existing, created: false };
  try {
    return await db.transaction(async (trx) => {
      const again = await paymentByKey(trx, input);
      if (again) return { payment: again, created: false };
      const payment = await insertPayment(trx, input, actor);
      await alsoWrite?.(trx, payment);
      return { payment, created: true };
    });
  } catch (error) {
    // Another process inserted the same key between our check and our insert.
    if (!isUniqueViolation(error)) throw error;
    const winner = await paymentByKey(db, input);
    if (!winner) throw error;
    return { payment: winner, created: false };
  }
}

async function paymentByKey(db: Queryable, input: NewPayment): Promise<PaymentRow | undefined> {
  const row: PaymentRow | undefined = await db('payments').where('idempotency_key', input.idempotencyKey).first();
  if (row && row.customer_id !== input.customerId)
    throw new HttpError(409, 'This payment form was already used for another customer.');
  return row;
}

async function insertPayment(trx: Queryable, input: NewPayment, actor: Actor): Promise<PaymentRow> {
  if (!isBoundedCents(input.amountCents) || input.amountCents <= 0)
    throw new LedgerError('amount', input.amountCents > 0 ? AMOUNT_TOO_LARGE : 'Enter an amount above zero.');
  if (input.paidOn < input.today && input.method !== 'check')
    throw new LedgerError('paid_on', 'Pick today or a later date.');
  if (input.paidOn > input.today && input.method === 'check')
    throw new LedgerError('paid_on', 'A check already received cannot be dated in the future.');
  const wanted = [...new Set(input.invoiceIds)];
  const invoices = await payableInvoices(trx, input.customerId, wanted);
  if (invoices.length !== wanted.length)
    throw new LedgerError('invoice_ids', 'One of the chosen invoices is not this customer’s.');
  const { parts, remainderCents } = allocate(input.amountCents, invoices);
  const keepsRemainder = input.remainder === 'credit' || input.method === 'check';
  if (remainderCents > 0 && !keepsRemainder) {
    const payable = invoices.reduce((s, i) => s + i.payable_cents, 0);
    const open = invoices.reduce((s, i) => s + i.open_cents, 0);
    throw new LedgerError(
      'amount',
      `The most that can be paid on ${invoices.length === 1 ? 'this invoice' : 'these invoices'} is ${formatCents(payable)}: ` +
        `the open balance of ${formatCents(open)} less ${formatCents(open - payable)} already pending or scheduled. ` +
        'Lower the amount, or keep the rest as a credit on account.',
    );
  }
  const now = nowIso();
  const status: PaymentStatus =
    input.method === 'check' ? 'pending' : input.paidOn > input.today ? 'scheduled' : 'pending';
  const values = {
    customer_id: input.customerId,
    amount_cents: input.amountCents,
    method: input.method,
    payment_method_id: input.paymentMethodId ?? null,
    reference: input.reference || null,
    status,
    source: input.source,
    paid_on: input.paidOn,
    idempotency_key: input.idempotencyKey,
    // A payment started today is handed to the gateway right after this transaction commits.
    submitted_at: status === 'pending' && input.method !== 'check' ? now : null,
    created_by: actor.userId,
    created_at: now,
  };
  const [{ id }] = await trx('payments').insert(values).returning('id');
  if (parts.length) {
    await trx('payment_applications').insert(
      parts.map((p) => ({ payment_id: id, invoice_id: p.invoiceId, amount_cents: p.amountCents })),
    );
  }
  await auditCreated(
    trx,
    { table: 'payments', id, customerId: input.customerId, actor },
    {
      amount_cents: values.amount_cents,
      method: values.method,
      status,
      source: values.source,
      paid_on: values.paid_on,
      reference: values.reference,
    },
  );
  // A check is money already received: it settles in the same transaction.
  if (input.method === 'check') await settlePayment(trx, id, actor);
  return (await trx<PaymentRow>('payments').where('id', id).first())!;
}

/**
 * Moves a payment from one status to another only if it is still in the expected one: the conditional
 * update is what makes each transition happen exactly once, also across processes.
 */
async function transition(
  trx: Queryable,
  paymentId: number,
  from: PaymentStatus[],
  to: PaymentStatus,
  extra: Record<string, unknown>,
  actor: Actor,
): Promise<PaymentRow | undefined> {
  const before: PaymentRow | undefined = await trx('payments').where('id', paymentId).first();
  if (!before || !from.includes(before.status)) return undefined;
  const count = await trx('payments')
    .where({ id: paymentId, status: before.status })
    .update({ status: to, version: before.version + 1, ...extra });
  if (count !== 1) return undefined;
  await recordChanges(
    trx,
    { table: 'payments', id: paymentId, customerId: before.customer_id, actor },
    { status: before.status },
    { status: to },
  );
  return { ...before, ...extra, status: to };
}

/**
 * Settles a pending payment: its applications come off the invoices' open balances and any remainder
 * becomes an unapplied-payment credit. Returns false when it was not pending (already settled, say).
 */
export async function settlePayment(
  trx: Queryable,
  paymentId: number,
  actor: Actor,
  gatewayRef?: string,
): Promise<boolean> {
  const extra: Record<string, unknown> = { settled_at: nowIso() };
  if (gatewayRef) extra.gateway_ref = gatewayRef;
  const payment = await transition(trx, paymentId, ['pending'], 'settled', extra, actor);
  if (!payment) return false;
  const applications: { invoice_id: number; amount_cents: number }[] = await trx('payment_applications').where(
    'payment_id',
    paymentId,
  );
  for (const application of applications)
    await reduceOpenBalance(trx, application.invoice_id, application.amount_cents);
  const remainder = payment.amount_cents - applications.reduce((s, a) => s + a.amount_cents, 0);
  if (remainder > 0) {
    await trx('credits').insert({
      customer_id: payment.customer_id,
      kind: 'unapplied',
      amount_cents: remainder,
      remaining_cents: remainder,
      payment_id: payment.id,
      reason: `Remainder of ${transactionNumberFor(payment.id)}`,
      created_by: actor.userId,
      created_at: nowIso(),
    });
  }
  return true;
}

/** A pending payment the gateway refused: its applications stop counting. False when it was not pending. */
export async function failPayment(
  trx: Queryable,
  paymentId: number,
  reason: string,
  actor: Actor,
  gatewayRef?: string,
): Promise<boolean> {
  const extra: Record<string, unknown> = { failure_reason: reason.slice(0, 300) };
  if (gatewayRef) extra.gateway_ref = gatewayRef;
  return (await transition(trx, paymentId, ['pending'], 'failed', extra, actor)) !== undefined;
}

/** Cancels a scheduled payment (a pending one is already with the gateway). In the caller's transaction, if any. */
export async function cancelScheduledPayment(
  db: Queryable,
  customerId: number,
  paymentId: number,
  actor: Actor,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const payment = await scheduledPaymentOf(trx, customerId, paymentId);
    await transition(trx, payment.id, ['scheduled'], 'cancelled', {}, actor);
  });
}

/** Moves a scheduled payment to another day (today or later). In the caller's transaction, if any. */
export async function reschedulePayment(
  db: Queryable,
  customerId: number,
  paymentId: number,
  paidOn: string,
  today: string,
  actor: Actor,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const payment = await scheduledPaymentOf(trx, customerId, paymentId);
    if (paidOn < today) throw new LedgerError('paid_on', 'Pick today or a later date.');
    const count = await trx('payments')
      .where({ id: payment.id, status: 'scheduled', version: payment.version })
      .update({ paid_on: paidOn, version: payment.version + 1 });
    if (count !== 1) throw new HttpError(409, 'This payment changed while you were rescheduling it. Look at it again.');
    await recordChanges(
      trx,
      { table: 'payments', id: payment.id, customerId, actor },
      { paid_on: payment.paid_on },
      { paid_on: paidOn },
    );
  });
}

async function scheduledPaymentOf(trx: Queryable, customerId: number, paymentId: number): Promise<PaymentRow> {
  const payment: PaymentRow | undefined = await trx('payments')
    .where({ id: paymentId, customer_id: customerId })
    .first();
  if (!payment) throw new HttpError(404, 'This payment does not exist or is not yours to see.');
  if (payment.status !== 'scheduled')
    throw new HttpError(409, `This payment is ${payment.status} now, so it can no longer be changed.`);
  return payment;
}

/**
 * Claims a due scheduled payment for processing: scheduled → pending, only if nobody claimed it first.
 * Returns whether this caller won the claim.
 */
export async function claimScheduledPayment(db: Db, paymentId: number, now: string, actor: Actor): Promise<boolean> {
  const claimed = await db.transaction((trx) =>
    transition(trx, paymentId, ['scheduled'], 'pending', { submitted_at: now }, actor),
  );
  return claimed !== undefined;
}
