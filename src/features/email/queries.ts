import type { Knex } from 'knex';
import type { Queryable } from '../../db/index.ts';
import type { EmailAttachment } from './outbox.ts';

/** How long a sender's claim on an e-mail holds: far longer than a send can take (see smtpMailer's time-outs). */
export const CLAIM_LEASE_MS = 10 * 60_000;

/**
 * Due: queued, its next attempt time has come, and no sender holds it, or the one that did has not
 * finished within the lease (it crashed).
 */
export function whereDue(query: Knex.QueryBuilder, now: Date): Knex.QueryBuilder {
  const staleBefore = new Date(now.getTime() - CLAIM_LEASE_MS).toISOString();
  return query
    .where('status', 'queued')
    .where('next_attempt_at', '<=', now.toISOString())
    .where((claim) => claim.whereNull('claimed_at').orWhere('claimed_at', '<', staleBefore));
}

/** Due e-mails, the longest waiting first. */
export function dueEmailIds(db: Queryable, now: Date, limit: number): Promise<number[]> {
  return whereDue(db('emails'), now).orderBy(['next_attempt_at', 'id']).limit(limit).pluck('id');
}

/** The files to send with an e-mail, in the order they were queued. */
export async function attachmentsOf(db: Queryable, emailId: number): Promise<EmailAttachment[]> {
  const rows: { filename: string; content_type: string; content: Buffer }[] = await db('email_attachments')
    .where('email_id', emailId)
    .orderBy('id')
    .select('filename', 'content_type', 'content');
  return rows.map((r) => ({ filename: r.filename, contentType: r.content_type, content: Buffer.from(r.content) }));
}

/** What an e-mail history shows (views/partials/email-history.eta): never the bodies or attachments. */
export const emailHistoryColumns = [
  'e.id',
  'e.to_address',
  'e.subject',
  'e.status',
  'e.attempts',
  'e.next_attempt_at',
  'e.sent_at',
  'e.error',
  'e.created_at',
];

/** The last 100 e-mails about one invoice or one contact (E3, E6 *View Email History*), newest first. */
export function emailHistoryAbout(db: Queryable, about: 'invoice_id' | 'contact_id', id: number) {
  return db('emails as e').where(`e.${about}`, id).orderBy('e.id', 'desc').limit(100).select(emailHistoryColumns);
}
