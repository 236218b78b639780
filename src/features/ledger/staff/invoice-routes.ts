import type { FastifyInstance } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import { actorOf } from '../../../auth/principal.ts';
import type { Db } from '../../../db/index.ts';
import { addDays } from '../../../lib/dates.ts';
import { parseForm } from '../../../lib/forms.ts';
import { invoiceSummaryWithAutopay } from '../autopay/overview.ts';
import { createInvoice } from '../invoices.ts';
import { printableInvoice } from '../page-data.ts';
import { invoiceEmails, invoiceOfCustomer, invoicePage } from '../queries.ts';
import { queueInvoiceEmail } from '../receipts.ts';
import { INVOICE_FORM_LINES, invoiceForm, pageQuery } from '../schemas.ts';
import { billingContext, idParam } from './context.ts';

/** A customer's invoices under /customers/:id/billing/invoices: history, new, summary, print, e-mails (staff). */
export default async function invoiceRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  app.get('/customers/:id/billing/invoices', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const { before } = pageQuery.parse(request.query);
    const page = await invoicePage(db, ctx.customer.id, before);
    return reply.page('ledger/invoices/history', {
      title: `Invoices · ${ctx.customer.name}`,
      ...ctx,
      section: 'invoices',
      ...page,
      before,
    });
  });

  app.get('/customers/:id/billing/invoices/new', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const values = { issued_on: ctx.today, due_on: addDays(ctx.today, 30), line_quantity: ['1'] };
    return reply.page('ledger/invoices/new', {
      title: `New invoice · ${ctx.customer.name}`,
      ...ctx,
      section: 'invoices',
      values,
      lineCount: INVOICE_FORM_LINES,
      errors: {},
    });
  });

  app.post('/customers/:id/billing/invoices', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const form = parseForm(invoiceForm, request.body);
    if (!form.ok) {
      return reply.code(422).page('ledger/invoices/new', {
        title: `New invoice · ${ctx.customer.name}`,
        ...ctx,
        section: 'invoices',
        values: request.body,
        lineCount: INVOICE_FORM_LINES,
        errors: form.errors,
      });
    }
    const invoice = await createInvoice(db, { customerId: ctx.customer.id, ...form.data }, actorOf(staffOf(request)));
    request.flash('success', `Invoice ${invoice.number} created.`);
    return reply.seeOther(`${ctx.base}/invoices/${invoice.id}`);
  });

  app.get('/customers/:id/billing/invoices/:invoiceId', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const summary = await invoiceSummaryWithAutopay(
      db,
      ctx.customer.id,
      idParam(request, 'invoiceId', 'This invoice'),
      ctx.today,
    );
    return reply.page('ledger/invoices/summary', {
      title: `Invoice ${summary.invoice.number}`,
      ...ctx,
      section: 'invoices',
      ...summary,
    });
  });

  app.get('/customers/:id/billing/invoices/:invoiceId/view', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const printable = await printableInvoice(db, ctx.customer.id, idParam(request, 'invoiceId', 'This invoice'));
    return reply.page('ledger/invoices/print', { title: `Invoice ${printable.invoice.number}`, ...ctx, ...printable });
  });

  app.get('/customers/:id/billing/invoices/:invoiceId/emails', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const invoice = await invoiceOfCustomer(db, ctx.customer.id, idParam(request, 'invoiceId', 'This invoice'));
    const emails = await invoiceEmails(db, invoice.id);
    return reply.page('ledger/invoices/emails', {
      title: `E-mail history · ${invoice.number}`,
      ...ctx,
      section: 'invoices',
      invoice,
      emails,
    });
  });

  app.post('/customers/:id/billing/invoices/:invoiceId/emails', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const invoice = await invoiceOfCustomer(db, ctx.customer.id, idParam(request, 'invoiceId', 'This invoice'));
    const queued = await queueInvoiceEmail(db, invoice);
    if (queued)
      request.flash(
        'success',
        `Invoice ${invoice.number} is queued to ${queued} billing contact${queued === 1 ? '' : 's'}.`,
      );
    else request.flash('warning', 'This customer has no billing contact with an e-mail address, so nothing was sent.');
    return reply.seeOther(`${ctx.base}/invoices/${invoice.id}/emails`);
  });
}
