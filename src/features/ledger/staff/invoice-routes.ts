import type { FastifyInstance } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import { actorOf } from '../../../auth/principal.ts';
import type { Db } from '../../../db/index.ts';
import { addDays } from '../../../lib/dates.ts';
import { parseForm } from '../../../lib/forms.ts';
import { skipReasonTexts } from '../autopay/engine.ts';
import { invoiceAutopay } from '../autopay/overview.ts';
import { createInvoice, reservedByInvoice } from '../invoices.ts';
import {
  billToLocation,
  invoiceEmails,
  invoiceLines,
  invoiceOfCustomer,
  invoicePage,
  paymentsOnInvoice,
} from '../queries.ts';
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
    const invoice = await invoiceOfCustomer(db, ctx.customer.id, idParam(request, 'invoiceId', 'This invoice'));
    const [applied, reserved, lines, autopay] = await Promise.all([
      paymentsOnInvoice(db, invoice.id),
      reservedByInvoice(db, [invoice.id]),
      invoiceLines(db, invoice.id),
      invoiceAutopay(db, invoice, ctx.today),
    ]);
    return reply.page('ledger/invoices/summary', {
      title: `Invoice ${invoice.number}`,
      ...ctx,
      section: 'invoices',
      invoice,
      lines,
      applied,
      autopay,
      skipReasonTexts,
      payable: invoice.open_cents - (reserved.get(invoice.id) ?? 0),
    });
  });

  app.get('/customers/:id/billing/invoices/:invoiceId/view', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const invoice = await invoiceOfCustomer(db, ctx.customer.id, idParam(request, 'invoiceId', 'This invoice'));
    const [lines, billTo] = await Promise.all([invoiceLines(db, invoice.id), billToLocation(db, ctx.customer.id)]);
    return reply.page('ledger/invoices/print', {
      title: `Invoice ${invoice.number}`,
      ...ctx,
      invoice,
      lines,
      billTo: billTo ?? null,
    });
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
