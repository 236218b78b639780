import type { Queryable } from '../../db/index.ts';
import { queueEmail } from '../email/outbox.ts';
import type { InvoiceRow } from './invoices.ts';
import { type PaymentRow, transactionNumberFor } from './payments.ts';

type Recipient = { id: number; name: string; email: string };

function billingContacts(db: Queryable, customerIds: readonly number[]) {
  return db('contacts')
    .whereIn('customer_id', customerIds)
    .where('is_billing_contact', true)
    .whereNull('access_revoked_at')
    .whereNotNull('email');
}

/** Who receives billing e-mail: the customer's billing contacts whose access has not been revoked. */
export function billingRecipients(db: Queryable, customerId: number): Promise<Recipient[]> {
  return billingContacts(db, [customerId]).orderBy('id').select('id', 'name', 'email');
}

/** Which of these customers have anyone to receive billing e-mail (one read for a whole Autopay batch). */
export async function customersWithBillingRecipients(db: Queryable, customerIds: readonly number[]) {
  if (customerIds.length === 0) return new Set<number>();
  return new Set<number>(await billingContacts(db, customerIds).distinct('customer_id').pluck('customer_id'));
}

async function queue(
  db: Queryable,
  customerId: number,
  message: {
    template: string;
    data: Record<string, unknown>;
    invoiceId?: number;
    paymentId?: number;
  },
): Promise<number> {
  const recipients = await billingRecipients(db, customerId);
  for (const r of recipients) {
    await queueEmail(db, {
      to: r.email,
      template: message.template,
      data: { ...message.data, name: r.name },
      customerId,
      contactId: r.id,
      invoiceId: message.invoiceId,
      paymentId: message.paymentId,
    });
  }
  return recipients.length;
}

/** The receipt for a payment just started, scheduled or recorded; goes to the outbox. Returns the count queued. */
export function queuePaymentReceipt(db: Queryable, payment: PaymentRow, invoiceNumbers: string[]): Promise<number> {
  return queue(db, payment.customer_id, {
    template: payment.status === 'scheduled' ? 'payment-scheduled' : 'payment-receipt',
    paymentId: payment.id,
    data: { payment, transaction: transactionNumberFor(payment.id), invoiceNumbers },
  });
}

/** The invoice notification (*Email Invoice*) to the default billing contacts. */
export function queueInvoiceEmail(db: Queryable, invoice: InvoiceRow): Promise<number> {
  return queue(db, invoice.customer_id, { template: 'invoice', invoiceId: invoice.id, data: { invoice } });
}

/** An Autopay payment the gateway declined (E12): the billing contacts hear of it; it is not retried this cycle. */
export function queueAutopayDeclined(db: Queryable, payment: PaymentRow, invoiceNumbers: string[]): Promise<number> {
  return queue(db, payment.customer_id, {
    template: 'autopay-declined',
    paymentId: payment.id,
    data: { payment, transaction: transactionNumberFor(payment.id), invoiceNumbers },
  });
}
