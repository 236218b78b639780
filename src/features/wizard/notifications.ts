import { z } from 'zod';
import type { Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import type { FieldErrors } from '../../lib/forms.ts';
import { queueEmail } from '../email/outbox.ts';
import type { WizardDraft } from './drafts.ts';

/** The parties *Notifications* (C7) can e-mail; each has a tick box, an address, a subject and a body. */
export const recipients = [
  { key: 'customer', label: 'The customer' },
  { key: 'reseller', label: 'The reseller' },
] as const;
export type RecipientKey = (typeof recipients)[number]['key'];

export const destinations = [
  { key: 'service', label: 'The new service' },
  { key: 'customer', label: 'Its customer' },
  { key: 'wizard', label: 'A new Add Services Wizard' },
] as const;

const emailFields = z.object({
  to: z
    .string()
    .trim()
    .min(1, 'Enter the address to send to.')
    .max(320, 'The address is too long.')
    .pipe(z.email('Enter a valid e-mail address, like name@example.com.')),
  subject: z.string().trim().min(1, 'Enter a subject.').max(300, 'Use at most 300 characters.'),
  body: z.string().trim().min(1, 'Write the message.').max(20_000, 'The message is too long.'),
});

export type OutgoingEmail = { recipient: RecipientKey; to: string; subject: string; body: string };

/** The ticked e-mails of the form, checked; errors are keyed `<recipient>_to` and so on. */
export function parseEmails(
  body: Record<string, unknown>,
): { ok: true; emails: OutgoingEmail[] } | { ok: false; errors: FieldErrors } {
  const emails: OutgoingEmail[] = [];
  const errors: FieldErrors = {};
  for (const { key } of recipients) {
    if (body[`email_${key}`] !== 'on') continue;
    const result = emailFields.safeParse({
      to: body[`${key}_to`] ?? '',
      subject: body[`${key}_subject`] ?? '',
      body: body[`${key}_body`] ?? '',
    });
    if (result.success) emails.push({ recipient: key, ...result.data });
    else for (const issue of result.error.issues) errors[`${key}_${String(issue.path[0])}`] ??= issue.message;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, emails };
}

/**
 * *Finish*: puts the ticked e-mails in the outbox and closes the draft, once. The draft is claimed
 * first, so a second *Finish* queues nothing twice. Returns whether this call finished it.
 */
export async function finishWizard(db: Queryable, draft: WizardDraft, emails: OutgoingEmail[]): Promise<boolean> {
  return db.transaction(async (trx) => {
    const now = nowIso();
    const claimed = await trx('drafts')
      .where({ id: draft.id })
      .whereNotNull('created_services_at')
      .whereNull('finished_at')
      .update({ finished_at: now, updated_at: now });
    if (claimed === 0) return false;
    for (const e of emails) {
      await queueEmail(trx, {
        to: e.to,
        template: `wizard-${e.recipient}`,
        data: { subject: e.subject, body: e.body },
        customerId: draft.customerId,
      });
    }
    return true;
  });
}
