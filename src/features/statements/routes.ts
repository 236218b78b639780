import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { CustomerRow } from '../../auth/scope.ts';
import type { Db } from '../../db/index.ts';
import { todayIso } from '../../lib/dates.ts';
import { customerFromRequest, renderCustomerTab, rowIdFrom } from '../customer-module/frame.ts';
import { emailStatement, statementRecipients } from './emailing.ts';
import { statementPdf } from './pdf.ts';
import { statementPeriodQuery } from './schemas.ts';
import { accountStatement, type StatementPeriod } from './statement.ts';

/** Sends the statement PDF as a download, streamed as pdfkit writes it. */
export async function sendStatementPdf(
  reply: FastifyReply,
  customer: CustomerRow,
  statement: Awaited<ReturnType<typeof accountStatement>>,
) {
  return reply
    .type('application/pdf')
    .header('Content-Disposition', `inline; filename="statement-${customer.account_number}-${statement.to}.pdf"`)
    .send(await statementPdf(customer, statement));
}

const emailStaff = requireStaff('admin', 'support');

/**
 * The account statement on *Customer Details* (E3): the printable page, its PDF, *Emailing* to every
 * default billing contact at once, and *Email* to one contact.
 */
export default async function statementRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));
  const periodOf = (query: unknown): StatementPeriod => statementPeriodQuery(todayIso()).parse(query ?? {});
  const flashSent = (count: number, who: string) =>
    count > 0
      ? ['success', `Account statement queued to ${count} ${who}${count === 1 ? '' : 's'}.`]
      : ['warning', `No ${who} with an e-mail address and a profile that receives statements, so nothing was sent.`];

  app.get('/customers/:id/statement', async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    const statement = await accountStatement(db, customer.id, periodOf(request.query));
    return renderCustomerTab(db, reply, customer, 'contacts', 'statements/staff', {
      title: `Account statement · ${customer.name}`,
      statement,
      base: `/customers/${customer.id}/statement`,
    });
  });

  app.get('/customers/:id/statement.pdf', async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    return sendStatementPdf(reply, customer, await accountStatement(db, customer.id, periodOf(request.query)));
  });

  app.post('/customers/:id/statement/emailing', { preHandler: emailStaff }, async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    const period = periodOf(request.body);
    const recipients = await statementRecipients(db, customer.id, true);
    const count = await emailStatement(db, customer, period, recipients, actorOf(staffOf(request)));
    const [kind, message] = flashSent(count, 'default billing contact');
    request.flash(kind, message);
    return reply.seeOther(`/customers/${customer.id}/statement?from=${period.from}&to=${period.to}`);
  });

  app.post('/customers/:id/contacts/:rowId/statement', { preHandler: emailStaff }, async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    const contactId = rowIdFrom(request, 'This contact');
    const recipients = (await statementRecipients(db, customer.id, false)).filter((r) => r.id === contactId);
    const count = await emailStatement(db, customer, periodOf(request.body), recipients, actorOf(staffOf(request)));
    const [kind, message] = flashSent(count, 'contact');
    request.flash(kind, message);
    return reply.seeOther(`/customers/${customer.id}/contacts/${contactId}`);
  });
}
