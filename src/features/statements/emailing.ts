import type { Actor } from '../../auth/principal.ts';
import type { Db, Queryable } from '../../db/index.ts';
import { inTransaction } from '../../db/index.ts';
import { auditAction } from '../audit/audit.ts';
import { queueEmail } from '../email/outbox.ts';
import { pdfBuffer, statementPdf } from './pdf.ts';
import { accountStatement, type StatementPeriod } from './statement.ts';

type Customer = { id: number; name: string; account_number: string };
type Recipient = { id: number; name: string; email: string };

/**
 * Contacts who receive statements: with an e-mail, access not revoked, and a profile that grants
 * *receive statements* (E3). `billingOnly` narrows them to the default billing contacts (*Emailing*).
 */
export function statementRecipients(db: Queryable, customerId: number, billingOnly: boolean): Promise<Recipient[]> {
  const query = db('contacts as k')
    .join('contact_profiles as p', 'p.id', 'k.profile_id')
    .where({ 'k.customer_id': customerId, 'p.receive_statements': true })
    .whereNull('k.access_revoked_at')
    .whereNotNull('k.email')
    .orderBy('k.id')
    .limit(50)
    .select('k.id', 'k.name', 'k.email');
  return billingOnly ? query.where('k.is_billing_contact', true) : query;
}

/**
 * E-mails the account statement with its PDF to each recipient. The PDF is built before the transaction
 * (it is the slow part); the outbox rows and the audit entry are written together; SMTP runs later.
 */
export async function emailStatement(
  db: Db,
  customer: Customer,
  period: StatementPeriod,
  recipients: readonly Recipient[],
  actor: Actor,
): Promise<number> {
  if (recipients.length === 0) return 0;
  const statement = await accountStatement(db, customer.id, period);
  const pdf = await pdfBuffer(await statementPdf(customer, statement));
  const filename = `statement-${customer.account_number}-${period.to}.pdf`;
  await inTransaction(db, async (trx) => {
    for (const recipient of recipients) {
      await queueEmail(trx, {
        to: recipient.email,
        template: 'account-statement',
        data: { name: recipient.name, customer, statement },
        customerId: customer.id,
        contactId: recipient.id,
        attachments: [{ filename, contentType: 'application/pdf', content: pdf }],
      });
    }
    await auditAction(
      trx,
      { table: 'customers', id: customer.id, customerId: customer.id, actor },
      'statement-emailed',
      recipients.map((r) => r.email).join(', '),
    );
  });
  return recipients.length;
}
