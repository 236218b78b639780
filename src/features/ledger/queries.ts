import { type Queryable, sqlConstant } from '../../db/index.ts';
import { notFound } from '../../lib/http-error.ts';
import { emailHistoryAbout } from '../email/queries.ts';
import type { CreditRow } from './credits.ts';
import { type InvoiceRow, reservedByInvoice } from './invoices.ts';
import type { PaymentRow, PaymentStatus } from './payments.ts';

export const PAGE_SIZE = 25;

export type OpenInvoice = InvoiceRow & { reserved_cents: number; payable_cents: number; past_due: boolean };

/** Open invoices, oldest due first, with what pending and scheduled payments already promise on each. */
export async function openInvoices(
  db: Queryable,
  customerId: number,
  today: string,
  limit = 500,
): Promise<OpenInvoice[]> {
  const rows: InvoiceRow[] = await db('invoices')
    .where('customer_id', customerId)
    .where('open_cents', '>', sqlConstant(db, 0))
    .orderBy([{ column: 'due_on' }, { column: 'id' }])
    .limit(limit);
  const reserved = await reservedByInvoice(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => {
    const reservedCents = reserved.get(row.id) ?? 0;
    return {
      ...row,
      reserved_cents: reservedCents,
      payable_cents: row.open_cents - reservedCents,
      past_due: row.due_on < today,
    };
  });
}

/** One of the customer's invoices; 404 for any other. */
export async function invoiceOfCustomer(db: Queryable, customerId: number, invoiceId: number): Promise<InvoiceRow> {
  const invoice: InvoiceRow | undefined = await db('invoices')
    .where({ id: invoiceId, customer_id: customerId })
    .first();
  if (!invoice) throw notFound('This invoice');
  return invoice;
}

/** An invoice's lines in their order. */
export function invoiceLines(db: Queryable, invoiceId: number) {
  return db('invoice_lines').where('invoice_id', invoiceId).orderBy('position');
}

/** Where the customer's invoices are addressed: the Bill To location, else the first location. */
export function billToLocation(db: Queryable, customerId: number) {
  return db('locations')
    .where({ customer_id: customerId })
    .orderBy([{ column: 'is_bill_to', order: 'desc' }, { column: 'id' }])
    .first();
}

/** One page of a customer's invoices, newest first (keyset on id: `before` is the last id of the previous page). */
export async function invoicePage(db: Queryable, customerId: number, before?: number) {
  const query = db<InvoiceRow>('invoices')
    .where('customer_id', customerId)
    .orderBy('id', 'desc')
    .limit(PAGE_SIZE + 1);
  if (before) query.where('id', '<', before);
  return pageOf(await query);
}

export type TransactionRow = PaymentRow & { method_name: string | null; brand: string | null; last4: string | null };

function transactions(db: Queryable, customerId: number) {
  return db('payments as p')
    .leftJoin('payment_methods as m', 'm.id', 'p.payment_method_id')
    .where('p.customer_id', customerId)
    .select('p.*', 'm.friendly_name as method_name', 'm.brand', 'm.last4');
}

/** One of the customer's payments with its payment method; 404 for any other. */
export async function transactionOfCustomer(
  db: Queryable,
  customerId: number,
  paymentId: number,
): Promise<TransactionRow> {
  const payment: TransactionRow | undefined = await transactions(db, customerId).where('p.id', paymentId).first();
  if (!payment) throw notFound('This transaction');
  return payment;
}

/** The scheduled payments of one day (the calendar's breakdown). */
export function scheduledOn(db: Queryable, customerId: number, day: string): Promise<TransactionRow[]> {
  return transactions(db, customerId).where({ 'p.status': 'scheduled', 'p.paid_on': day }).orderBy('p.id');
}

/** One page of a customer's payments, newest first, optionally of some statuses only. */
export async function transactionPage(
  db: Queryable,
  customerId: number,
  options: { before?: number; statuses?: PaymentStatus[] } = {},
) {
  const query = transactions(db, customerId)
    .orderBy('p.id', 'desc')
    .limit(PAGE_SIZE + 1);
  if (options.before) query.where('p.id', '<', options.before);
  if (options.statuses) query.whereIn('p.status', options.statuses);
  return pageOf<TransactionRow>(await query);
}

function pageOf<T extends { id: number }>(rows: T[]): { rows: T[]; nextBefore: number | null } {
  const more = rows.length > PAGE_SIZE;
  const page = more ? rows.slice(0, PAGE_SIZE) : rows;
  return { rows: page, nextBefore: more ? page[page.length - 1].id : null };
}

/** Where a payment went: its applications with the invoices. */
export function applicationsOfPayment(db: Queryable, paymentId: number) {
  return db('payment_applications as pa')
    .join('invoices as i', 'i.id', 'pa.invoice_id')
    .where('pa.payment_id', paymentId)
    .orderBy('i.due_on')
    .select('pa.amount_cents', 'i.id as invoice_id', 'i.number', 'i.due_on');
}

/** What paid an invoice (or is going to): payments with their status, and credits applied. */
export async function paymentsOnInvoice(db: Queryable, invoiceId: number) {
  const [payments, credits] = await Promise.all([
    db('payment_applications as pa')
      .join('payments as p', 'p.id', 'pa.payment_id')
      .where('pa.invoice_id', invoiceId)
      // A failed or cancelled payment applied nothing to the invoice.
      .whereNotIn('p.status', ['failed', 'cancelled'])
      .orderBy('p.id')
      .select('p.id', 'p.status', 'p.method', 'p.paid_on', 'p.reference', 'pa.amount_cents'),
    db('credit_applications as ca')
      .join('credits as c', 'c.id', 'ca.credit_id')
      .where('ca.invoice_id', invoiceId)
      .orderBy('ca.id')
      .select('c.id', 'c.kind', 'ca.created_at', 'ca.amount_cents'),
  ]);
  return { payments, credits };
}

/** Scheduled payments per day of one month: count and total (the Payments Calendar). */
export async function scheduledByDay(db: Queryable, customerId: number, from: string, to: string) {
  const rows: { day: string; count: number; cents: number }[] = await db('payments')
    .where({ customer_id: customerId, status: 'scheduled' })
    .whereBetween('paid_on', [from, to])
    .groupBy('paid_on')
    .select('paid_on as day', db.raw('count(*) as count'), db.raw('sum(amount_cents) as cents'));
  return new Map(rows.map((r) => [r.day, { count: Number(r.count), cents: Number(r.cents) }]));
}

/** A customer's credits with what remains, newest first; `kind` filters. */
export function creditsOf(db: Queryable, customerId: number, kind?: 'memo' | 'unapplied'): Promise<CreditRow[]> {
  const query = db<CreditRow>('credits').where('customer_id', customerId).orderBy('id', 'desc').limit(500);
  return kind ? query.where('kind', kind) : query;
}

/** The unapplied-payment credit a payment's remainder became, if any. */
export function creditOfPayment(db: Queryable, paymentId: number): Promise<CreditRow | undefined> {
  return db('credits').where('payment_id', paymentId).first();
}

/** One of the customer's credits; 404 for any other. */
export async function creditOfCustomer(db: Queryable, customerId: number, creditId: number): Promise<CreditRow> {
  const credit: CreditRow | undefined = await db('credits').where({ id: creditId, customer_id: customerId }).first();
  if (!credit) throw notFound('This credit');
  return credit;
}

/** Where a credit went: its applications with the invoice numbers, and its refunds. */
export async function usesOfCredit(db: Queryable, creditId: number) {
  const [applications, refunds] = await Promise.all([
    db('credit_applications as ca')
      .join('invoices as i', 'i.id', 'ca.invoice_id')
      .where('ca.credit_id', creditId)
      .orderBy('ca.id')
      .select('ca.*', 'i.number'),
    db('refunds').where('credit_id', creditId).orderBy('id'),
  ]);
  return { applications, refunds };
}

/** E-mails about one invoice, newest first (*View Email History*). */
export function invoiceEmails(db: Queryable, invoiceId: number) {
  return emailHistoryAbout(db, 'invoice_id', invoiceId);
}
