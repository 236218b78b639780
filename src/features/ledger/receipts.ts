import type { Queryable } from '../../db/index.ts';
import { formatDate, nowIso } from '../../lib/dates.ts';
import { formatCents } from '../../lib/money.ts';
import type { InvoiceRow } from './invoices.ts';
import { type PaymentRow, transactionNumberFor } from './payments.ts';

type Recipient = { id: number; name: string; email: string };

/** Who receives billing e-mail: the customer's billing contacts whose access has not been revoked. */
export function billingRecipients(db: Queryable, customerId: number): Promise<Recipient[]> {
  return db('contacts')
    .where({ customer_id: customerId, is_billing_contact: true })
    .whereNull('access_revoked_at')
    .whereNotNull('email')
    .orderBy('id')
    .select('id', 'name', 'email');
}

async function queue(
  db: Queryable,
  customerId: number,
  message: {
    subject: string;
    body: (name: string) => string;
    template: string;
    invoiceId?: number;
    paymentId?: number;
  },
): Promise<number> {
  const recipients = await billingRecipients(db, customerId);
  if (recipients.length === 0) return 0;
  const now = nowIso();
  await db('emails').insert(
    recipients.map((r) => ({
      customer_id: customerId,
      contact_id: r.id,
      to_address: r.email,
      subject: message.subject,
      body: message.body(r.name),
      template: message.template,
      status: 'queued',
      invoice_id: message.invoiceId ?? null,
      payment_id: message.paymentId ?? null,
      created_at: now,
    })),
  );
  return recipients.length;
}

/** The receipt for a payment just started, scheduled or recorded; goes to the outbox. Returns the count queued. */
export function queuePaymentReceipt(db: Queryable, payment: PaymentRow, invoiceNumbers: string[]): Promise<number> {
  const number = transactionNumberFor(payment.id);
  const scheduled = payment.status === 'scheduled';
  const on = invoiceNumbers.length ? ` towards ${invoiceNumbers.join(', ')}` : ' on account';
  return queue(db, payment.customer_id, {
    subject: scheduled ? `Payment scheduled: ${number}` : `Payment receipt: ${number}`,
    template: scheduled ? 'payment-scheduled' : 'payment-receipt',
    paymentId: payment.id,
    body: (name) =>
      `Hello ${name},\n\n` +
      (scheduled
        ? `A payment of ${formatCents(payment.amount_cents)}${on} is scheduled for ${formatDate(payment.paid_on)}.`
        : `We received a payment of ${formatCents(payment.amount_cents)}${on} on ${formatDate(payment.paid_on)}.`) +
      `\nTransaction: ${number}\n`,
  });
}

/** The invoice notification (*Email Invoice*) to the default billing contacts. */
export function queueInvoiceEmail(db: Queryable, invoice: InvoiceRow): Promise<number> {
  return queue(db, invoice.customer_id, {
    subject: `Invoice ${invoice.number}`,
    template: 'invoice',
    invoiceId: invoice.id,
    body: (name) =>
      `Hello ${name},\n\nInvoice ${invoice.number} of ${formatDate(invoice.issued_on)} totals ${formatCents(invoice.total_cents)}; ` +
      `${formatCents(invoice.open_cents)} is open and due on ${formatDate(invoice.due_on)}.\n`,
  });
}
