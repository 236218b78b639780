import { randomUUID } from 'node:crypto';
import type { Actor } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import { type FieldErrors, parseForm } from '../../lib/forms.ts';
import { formatCents } from '../../lib/money.ts';
import { startPayment } from './charging.ts';
import { ledgerFieldErrors } from './errors.ts';
import type { PaymentGateway } from './gateway.ts';
import { payableInvoices } from './invoices.ts';
import { activePaymentMethod, activePaymentMethods } from './payment-methods.ts';
import { type PaymentRow, type PaymentSource, transactionNumberFor } from './payments.ts';
import { payForm } from './schemas.ts';

/**
 * *Pay Selected* and *Pay Invoice* (E5, E7), shared by the staff billing pages and the customer portal so
 * both move money the same way: what the form shows, and paying what was submitted.
 */

/** The *Pay Invoice* form for the chosen invoices: what each still can take, the methods, and fresh defaults. */
export async function payFormData(db: Db, customerId: number, invoiceIds: number[], today: string) {
  const [invoices, methods] = await Promise.all([
    payableInvoices(db, customerId, invoiceIds),
    activePaymentMethods(db, customerId),
  ]);
  const open = invoices.reduce((s, i) => s + i.open_cents, 0);
  const payable = invoices.reduce((s, i) => s + i.payable_cents, 0);
  return {
    invoices,
    methods,
    open,
    payable,
    reserved: open - payable,
    defaults: {
      amount: (payable / 100).toFixed(2),
      paid_on: today,
      payment_method_id: methods[0]?.id,
      // A fresh key per form: submitting the same form twice moves the money once.
      idempotency_key: randomUUID(),
    },
  };
}

export type PaySelectedResult = { ok: true; payment: PaymentRow } | { ok: false; errors: FieldErrors };

/** Validates a submitted *Pay Invoice* form and starts (or schedules) the payment with one of the customer's methods. */
export async function paySelected(
  db: Db,
  gateway: PaymentGateway,
  payment: { customerId: number; today: string; body: unknown; source: Extract<PaymentSource, 'manual' | 'portal'> },
  actor: Actor,
): Promise<PaySelectedResult> {
  const form = parseForm(payForm, payment.body);
  if (!form.ok) return form;
  const method = await activePaymentMethod(db, payment.customerId, form.data.payment_method_id).catch(() => null);
  if (!method) return { ok: false, errors: { payment_method_id: 'Choose one of this customer’s payment methods.' } };
  try {
    const started = await startPayment(
      db,
      gateway,
      {
        customerId: payment.customerId,
        amountCents: form.data.amount,
        method: method.kind,
        paymentMethodId: method.id,
        source: payment.source,
        paidOn: form.data.paid_on,
        today: payment.today,
        invoiceIds: form.data.invoice_ids,
        remainder: form.data.keep_remainder ? 'credit' : 'refuse',
        idempotencyKey: form.data.idempotency_key,
      },
      actor,
    );
    return { ok: true, payment: started.payment };
  } catch (error) {
    const errors = ledgerFieldErrors(error);
    if (!errors) throw error;
    return { ok: false, errors };
  }
}

/** The confirmation shown after *CONFIRM*, as a flash kind and message. */
export function paymentConfirmation(payment: PaymentRow): [kind: string, message: string] {
  const what = `${formatCents(payment.amount_cents)} (${transactionNumberFor(payment.id)})`;
  switch (payment.status) {
    case 'settled':
      return ['success', `Payment of ${what} accepted.`];
    case 'scheduled':
      return ['success', `Payment of ${what} scheduled.`];
    case 'failed':
      return [
        'error',
        `Payment of ${what} failed: ${(payment.failure_reason ?? 'refused by the gateway').replace(/\.+$/, '')}.`,
      ];
    default:
      return ['info', `Payment of ${what} is pending: the gateway has it and will confirm it.`];
  }
}
