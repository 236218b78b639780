import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { staffOf } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import { addDays } from '../../lib/dates.ts';
import { parseForm } from '../../lib/forms.ts';
import { notFound } from '../../lib/http-error.ts';
import { parseCents } from '../../lib/money.ts';
import { type BillingContext, billingContext, idParam } from '../billing/context.ts';
import { queueInvoiceEmail } from '../billing/emails.ts';
import { invoiceEmails, invoicePage, paymentsOnInvoice } from '../billing/queries.ts';
import type { BillingOptions } from '../billing/routes.ts';
import { dateField, optionalText } from '../billing/schemas.ts';
import { createInvoice, type InvoiceRow, reservedByInvoice } from './invoices.ts';

/** Rows on the new-invoice form; rows left blank are ignored. */
export const INVOICE_FORM_LINES = 5;

const pageQuery = z.object({ before: z.coerce.number().int().positive().optional().catch(undefined) });

const asList = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const invoiceForm = z
  .object({
    issued_on: dateField,
    due_on: dateField,
    po_number: optionalText(60),
    memo: optionalText(500),
    line_description: z.preprocess(asList, z.array(z.string().trim().max(300, 'At most 300 characters.'))),
    line_quantity: z.preprocess(asList, z.array(z.string().trim())),
    line_unit: z.preprocess(asList, z.array(z.string().trim())),
  })
  .transform((form, ctx) => {
    const lines = [];
    for (let i = 0; i < INVOICE_FORM_LINES; i++) {
      const description = form.line_description[i] ?? '';
      const quantityText = form.line_quantity[i] ?? '';
      const unitText = form.line_unit[i] ?? '';
      if (!description && !unitText) continue;
      const quantity = quantityText === '' ? 1 : Number(quantityText);
      const unitCents = parseCents(unitText);
      if (!description)
        ctx.addIssue({ code: 'custom', path: [`line_description.${i}`], message: 'Describe this line.' });
      if (!Number.isInteger(quantity) || quantity < 1 || quantity > 100_000)
        ctx.addIssue({ code: 'custom', path: [`line_quantity.${i}`], message: 'A whole number from 1.' });
      if (unitCents === null || unitCents <= 0)
        ctx.addIssue({ code: 'custom', path: [`line_unit.${i}`], message: 'A price above zero, like 49.99.' });
      else lines.push({ description, quantity, unitCents });
    }
    if (lines.length === 0 && !ctx.issues?.length)
      ctx.addIssue({ code: 'custom', path: ['line_description.0'], message: 'Add at least one line.' });
    if (form.due_on < form.issued_on)
      ctx.addIssue({ code: 'custom', path: ['due_on'], message: 'The due date cannot be before the issue date.' });
    return { issuedOn: form.issued_on, dueOn: form.due_on, poNumber: form.po_number, memo: form.memo, lines };
  });

async function invoiceOf(ctx: BillingContext, db: BillingOptions['db'], invoiceId: number): Promise<InvoiceRow> {
  const invoice: InvoiceRow | undefined = await db('invoices')
    .where({ id: invoiceId, customer_id: ctx.customer.id })
    .first();
  if (!invoice) throw notFound('This invoice');
  return invoice;
}

export default async function invoiceRoutes(app: FastifyInstance, { db }: BillingOptions) {
  app.get('/customers/:id/billing/invoices', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const { before } = pageQuery.parse(request.query);
    const page = await invoicePage(db, ctx.customer.id, before);
    return reply.page('invoices/history', {
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
    return reply.page('invoices/new', {
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
      return reply.code(422).page('invoices/new', {
        title: `New invoice · ${ctx.customer.name}`,
        ...ctx,
        section: 'invoices',
        values: request.body,
        lineCount: INVOICE_FORM_LINES,
        errors: form.errors,
      });
    }
    const invoice = await db.transaction((trx) =>
      createInvoice(trx, { customerId: ctx.customer.id, ...form.data }, actorOf(staffOf(request))),
    );
    request.flash('success', `Invoice ${invoice.number} created.`);
    return reply.seeOther(`${ctx.base}/invoices/${invoice.id}`);
  });

  app.get('/customers/:id/billing/invoices/:invoiceId', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const invoice = await invoiceOf(ctx, db, idParam(request, 'invoiceId', 'This invoice'));
    const [applied, reserved, lines] = await Promise.all([
      paymentsOnInvoice(db, invoice.id),
      reservedByInvoice(db, [invoice.id]),
      db('invoice_lines').where('invoice_id', invoice.id).orderBy('position'),
    ]);
    return reply.page('invoices/summary', {
      title: `Invoice ${invoice.number}`,
      ...ctx,
      section: 'invoices',
      invoice,
      lines,
      applied,
      payable: invoice.open_cents - (reserved.get(invoice.id) ?? 0),
    });
  });

  app.get('/customers/:id/billing/invoices/:invoiceId/view', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const invoice = await invoiceOf(ctx, db, idParam(request, 'invoiceId', 'This invoice'));
    const [lines, billTo] = await Promise.all([
      db('invoice_lines').where('invoice_id', invoice.id).orderBy('position'),
      db('locations')
        .where({ customer_id: ctx.customer.id })
        .orderBy([{ column: 'is_bill_to', order: 'desc' }, { column: 'id' }])
        .first(),
    ]);
    return reply.page('invoices/print', {
      title: `Invoice ${invoice.number}`,
      ...ctx,
      invoice,
      lines,
      billTo: billTo ?? null,
    });
  });

  app.get('/customers/:id/billing/invoices/:invoiceId/emails', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const invoice = await invoiceOf(ctx, db, idParam(request, 'invoiceId', 'This invoice'));
    const emails = await invoiceEmails(db, invoice.id);
    return reply.page('invoices/emails', {
      title: `E-mail history · ${invoice.number}`,
      ...ctx,
      section: 'invoices',
      invoice,
      emails,
    });
  });

  app.post('/customers/:id/billing/invoices/:invoiceId/emails', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const invoice = await invoiceOf(ctx, db, idParam(request, 'invoiceId', 'This invoice'));
    const queued = await db.transaction((trx) => queueInvoiceEmail(trx, invoice));
    if (queued)
      request.flash(
        'success',
        `Invoice ${invoice.number} is queued to ${queued} billing contact${queued === 1 ? '' : 's'}.`,
      );
    else request.flash('warning', 'This customer has no billing contact with an e-mail address, so nothing was sent.');
    return reply.seeOther(`${ctx.base}/invoices/${invoice.id}/emails`);
  });
}
