import { inTransaction, type Queryable } from '../../db/index.ts';
import { enqueueJob } from '../../jobs/queue.ts';
import { nowIso } from '../../lib/dates.ts';
import { renderMessage } from './messages.ts';

/** The job kind of the sender (jobs.ts). */
export const EMAIL_JOB = 'email';

export type EmailToQueue = {
  to: string;
  /** The message templates' folder under views/email/; also kept on the row, naming the kind of e-mail. */
  template: string;
  /** What the templates show. */
  data: Record<string, unknown>;
  /** The records the e-mail is about: its history shows on theirs. */
  customerId?: number | null;
  contactId?: number | null;
  invoiceId?: number | null;
  paymentId?: number | null;
  /** Files sent with it, kept in the outbox until it is sent (keep them small: large files are better linked). */
  attachments?: readonly EmailAttachment[];
};

export type EmailAttachment = { filename: string; contentType: string; content: Buffer };

/**
 * Puts an e-mail in the outbox, rendered (subject, text and HTML), and asks the sender to run so that
 * it leaves promptly. Runs in the caller's transaction when given one, so the e-mail exists only if
 * what it tells of was committed. The only writer of `emails` rows besides the sender. Returns its id.
 */
export async function queueEmail(db: Queryable, email: EmailToQueue): Promise<number> {
  const message = await renderMessage(email.template, email.data);
  return inTransaction(db, async (trx) => {
    const now = nowIso();
    const [row]: { id: number }[] = await trx('emails')
      .insert({
        to_address: email.to,
        subject: message.subject,
        body: message.text, // the text part
        html: message.html,
        template: email.template,
        status: 'queued',
        next_attempt_at: now,
        customer_id: email.customerId ?? null,
        contact_id: email.contactId ?? null,
        invoice_id: email.invoiceId ?? null,
        payment_id: email.paymentId ?? null,
        created_at: now,
      })
      .returning('id');
    if (email.attachments?.length) {
      await trx('email_attachments').insert(
        email.attachments.map((a) => ({
          email_id: row.id,
          filename: a.filename,
          content_type: a.contentType,
          content: a.content,
          size_bytes: a.content.length,
        })),
      );
    }
    await enqueueJob(trx, { kind: EMAIL_JOB, runAt: now });
    return row.id;
  });
}

/**
 * *Resend* (E3 e-mail history): queues a copy of a sent or failed e-mail, attachments included, as a new
 * outbox row so the history keeps both attempts. Returns the new id.
 */
export async function resendEmail(db: Queryable, emailId: number): Promise<number> {
  return inTransaction(db, async (trx) => {
    const original = await trx('emails').where({ id: emailId }).first();
    if (!original) throw new RangeError(`no e-mail ${emailId}`);
    const now = nowIso();
    const [row]: { id: number }[] = await trx('emails')
      .insert({
        to_address: original.to_address,
        subject: original.subject,
        body: original.body,
        html: original.html,
        template: original.template,
        status: 'queued',
        next_attempt_at: now,
        customer_id: original.customer_id,
        contact_id: original.contact_id,
        invoice_id: original.invoice_id,
        payment_id: original.payment_id,
        created_at: now,
      })
      .returning('id');
    const attachments = await trx('email_attachments').where({ email_id: emailId }).orderBy('id');
    if (attachments.length) {
      await trx('email_attachments').insert(
        attachments.map(({ id: _id, email_id: _emailId, ...attachment }) => ({ ...attachment, email_id: row.id })),
      );
    }
    await enqueueJob(trx, { kind: EMAIL_JOB, runAt: now });
    return row.id;
  });
}
