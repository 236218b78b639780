import { actorOf, type StaffPrincipal } from '../../../auth/principal.ts';
import type { CustomerRow } from '../../../auth/scope.ts';
import type { Queryable } from '../../../db/index.ts';
import { nowIso } from '../../../lib/dates.ts';
import { insertAudited } from '../../audit/audit.ts';

/** *Letters* are written from a template; the user edits the filled-in text before keeping the copy. */
export const letterTemplates = [
  {
    key: 'welcome',
    name: 'Welcome letter',
    subject: 'Welcome to your new account',
    body: 'Dear {name},\n\nThank you for choosing us. Your account number is {account_number}; please quote it whenever you contact us.\n\nKind regards,\n{sender}',
  },
  {
    key: 'payment-reminder',
    name: 'Payment reminder',
    subject: 'A reminder about your account {account_number}',
    body: 'Dear {name},\n\nOur records show a balance on your account {account_number}. If you have already paid, please disregard this letter.\n\nKind regards,\n{sender}',
  },
  {
    key: 'service-change',
    name: 'Service change confirmation',
    subject: 'Your service change',
    body: 'Dear {name},\n\nThis confirms the change to the services on account {account_number} that we discussed.\n\nKind regards,\n{sender}',
  },
] as const;

export function letterTemplate(key: string) {
  return letterTemplates.find((t) => t.key === key);
}

/** The template's text with the customer's details put in. */
export function fillLetter(
  template: (typeof letterTemplates)[number],
  customer: Pick<CustomerRow, 'name' | 'account_number'>,
  sender: string,
) {
  const values: Record<string, string> = { name: customer.name, account_number: customer.account_number, sender };
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');
  return { template: template.key, subject: fill(template.subject), body: fill(template.body) };
}

/** Keeps the copy of a letter as written (audited). */
export async function writeLetter(
  db: Queryable,
  user: StaffPrincipal,
  customerId: number,
  letter: { template: string; subject: string; body: string },
): Promise<number> {
  return insertAudited(
    db,
    { table: 'letters', customerId, actor: actorOf(user) },
    { ...letter, customer_id: customerId, author_user_id: user.id, created_at: nowIso() },
  );
}
