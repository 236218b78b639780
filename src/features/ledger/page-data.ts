import type { Queryable } from '../../db/index.ts';
import { formatDate } from '../../lib/dates.ts';
import type { FieldErrors } from '../../lib/forms.ts';
import { formatCents } from '../../lib/money.ts';
import { creditNumberFor } from './credits.ts';
import { reservedByInvoice } from './invoices.ts';
import { type PaymentSource, transactionNumberFor } from './payments.ts';
import {
  applicationsOfPayment,
  billToLocation,
  creditOfPayment,
  creditsOf,
  invoiceLines,
  invoiceOfCustomer,
  paymentsOnInvoice,
  type TransactionRow,
  transactionOfCustomer,
} from './queries.ts';

/** Who started a payment, in words (a staff member's card payment is "Staff", not the stored "manual"). */
const sourceLabels: Record<PaymentSource, string> = {
  manual: 'Staff',
  portal: 'Portal',
  autopay: 'Autopay',
  external: 'External',
};

/** Display numbers and words for the billing templates (staff and portal): TX-0000042, CR-0000007, Staff. */
export const ledgerNumbers = {
  transaction: transactionNumberFor,
  credit: creditNumberFor,
  source: (source: string) => sourceLabels[source as PaymentSource] ?? source,
};

/**
 * What the billing pages show, read once for the staff *Billing Information* tab and the customer portal
 * alike (E6, E11, E13): each takes a customer already checked for the principal; other rows are 404.
 */

/** *Invoice Summary* (E6): the invoice, its lines, what paid it, and what can still be paid. */
export async function invoiceSummary(db: Queryable, customerId: number, invoiceId: number) {
  const invoice = await invoiceOfCustomer(db, customerId, invoiceId);
  const [applied, reserved, lines] = await Promise.all([
    paymentsOnInvoice(db, invoice.id),
    reservedByInvoice(db, [invoice.id]),
    invoiceLines(db, invoice.id),
  ]);
  return { invoice, lines, applied, payable: invoice.open_cents - (reserved.get(invoice.id) ?? 0) };
}

/** The printable invoice (*View*). */
export async function printableInvoice(db: Queryable, customerId: number, invoiceId: number) {
  const invoice = await invoiceOfCustomer(db, customerId, invoiceId);
  const [lines, billTo] = await Promise.all([invoiceLines(db, invoice.id), billToLocation(db, customerId)]);
  return { invoice, lines, billTo: billTo ?? null };
}

const NOT_APPLIED: readonly string[] = ['failed', 'cancelled'];

/** A transaction's detail (E13): the invoices it was applied to and any remainder credit. */
export async function transactionDetail(db: Queryable, customerId: number, paymentId: number) {
  const payment = await transactionOfCustomer(db, customerId, paymentId);
  // A failed or cancelled payment applied nothing: its reservations on invoices no longer count.
  const applied = !NOT_APPLIED.includes(payment.status);
  const [applications, credit] = await Promise.all([
    applied ? applicationsOfPayment(db, payment.id) : [],
    creditOfPayment(db, payment.id),
  ]);
  return { payment, applications, credit };
}

/** *Customer Credits* (E11) of one type, or all, with the total remaining. */
export async function creditList(db: Queryable, customerId: number, type: 'memo' | 'unapplied' | 'all') {
  const credits = await creditsOf(db, customerId, type === 'all' ? undefined : type);
  return { type, credits, total: credits.reduce((s, c) => s + c.remaining_cents, 0) };
}

/** The *RESCHEDULE* form of a scheduled payment (E8), with what was typed and why it was refused. */
export function reschedulePage(payment: TransactionRow, values: Record<string, unknown>, errors: FieldErrors = {}) {
  return {
    title: `Reschedule ${transactionNumberFor(payment.id)}`,
    section: 'scheduled',
    payment,
    values: { paid_on: payment.paid_on, ...values },
    errors,
  };
}

/** The flash after *RESCHEDULE*, with the date as every page shows dates. */
export function rescheduledMessage(payment: TransactionRow, paidOn: string): string {
  return `${transactionNumberFor(payment.id)} now runs on ${formatDate(paidOn)}.`;
}

/** The no-JavaScript confirmation of cancelling a scheduled payment (E8): buttons say what they do. */
export function cancelScheduledConfirmation(payment: TransactionRow, base: string) {
  return {
    question: `Cancel the scheduled payment of ${formatCents(payment.amount_cents)} on ${formatDate(payment.paid_on)}?`,
    detail: `${transactionNumberFor(payment.id)} will not be taken. Nothing has been charged yet.`,
    action: `${base}/scheduled/${payment.id}/cancellation`,
    yes: 'Cancel payment',
    no: 'Keep payment',
    back: `${base}/scheduled`,
  };
}

/**
 * The no-JavaScript confirmation of removing a payment method, for staff and portal alike: `listPath` is
 * the page of payment methods the method is removed from (and the way back).
 */
export function paymentMethodRemovalConfirmation(
  method: { id: number; friendly_name: string },
  listPath: string,
  back = listPath,
) {
  return {
    question: `Remove ${method.friendly_name}?`,
    detail: 'Payments already made with it are kept.',
    action: `${listPath}/${method.id}/removal`,
    yes: 'Remove payment method',
    no: 'Keep payment method',
    back,
  };
}
