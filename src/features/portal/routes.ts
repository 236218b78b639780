import type { FastifyInstance, FastifyReply } from 'fastify';
import { contactOf, requireContact } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import type { FieldErrors } from '../../lib/forms.ts';
import { idParam } from '../../lib/params.ts';
import { invoiceSummaryWithAutopay } from '../ledger/autopay/overview.ts';
import type { PaymentGateway } from '../ledger/gateway.ts';
import { printableInvoice } from '../ledger/page-data.ts';
import { payFormData, paymentConfirmation, paySelected } from '../ledger/pay-selected.ts';
import { invoicePage, openInvoices } from '../ledger/queries.ts';
import { idList, pageQuery, selectedInvoicesQuery } from '../ledger/schemas.ts';
import { type PortalContext, portalContext } from './context.ts';

const HOME_INVOICES = 10;
const OPEN_INVOICES_SHOWN = 500;

/**
 * The customer portal (E14) for a signed-in contact: balance, open invoices with *Pay Selected*, the
 * invoice summary and printable invoice, invoice history. The same ledger functions and page partials as
 * the staff *Billing Information* tab, framed by the portal layout; every route names the permission of
 * the contact profile it needs.
 */
export default async function portalRoutes(app: FastifyInstance, { db, gateway }: { db: Db; gateway: PaymentGateway }) {
  const viewInvoices = requireContact('view_invoices');
  const pay = requireContact('pay');

  app.get('/portal', { preHandler: requireContact() }, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const canView = ctx.contact.permissions.includes('view_invoices');
    const invoices = canView ? await openInvoices(db, ctx.customer.id, ctx.today, HOME_INVOICES + 1) : [];
    return reply.page('portal/home', {
      title: 'Balance',
      ...ctx,
      section: 'balance',
      canView,
      invoices: invoices.slice(0, HOME_INVOICES),
      moreInvoices: invoices.length > HOME_INVOICES,
    });
  });

  app.get('/portal/open-invoices', { preHandler: viewInvoices }, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const invoices = await openInvoices(db, ctx.customer.id, ctx.today, OPEN_INVOICES_SHOWN + 1);
    return reply.page('ledger/billing/open-invoices', {
      title: 'Open Invoices',
      ...ctx,
      section: 'open-invoices',
      invoices: invoices.slice(0, OPEN_INVOICES_SHOWN),
      shown: OPEN_INVOICES_SHOWN,
      more: invoices.length > OPEN_INVOICES_SHOWN,
    });
  });

  app.get('/portal/invoices', { preHandler: viewInvoices }, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const { before } = pageQuery.parse(request.query);
    const page = await invoicePage(db, ctx.customer.id, before);
    return reply.page('ledger/invoices/history', {
      title: 'Invoice History',
      ...ctx,
      section: 'invoices',
      ...page,
      before,
    });
  });

  app.get('/portal/invoices/:invoiceId', { preHandler: viewInvoices }, async (request, reply) => {
    const ctx = await portalContext(db, request);
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

  app.get('/portal/invoices/:invoiceId/view', { preHandler: viewInvoices }, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const printable = await printableInvoice(db, ctx.customer.id, idParam(request, 'invoiceId', 'This invoice'));
    return reply.page('ledger/invoices/print', { title: `Invoice ${printable.invoice.number}`, ...ctx, ...printable });
  });

  async function renderPayForm(
    reply: FastifyReply,
    ctx: PortalContext,
    invoiceIds: number[],
    values: Record<string, unknown>,
    errors: FieldErrors = {},
  ) {
    const { defaults, ...form } = await payFormData(db, ctx.customer.id, invoiceIds, ctx.today);
    return reply.page('ledger/payments/pay', {
      title: 'Pay Invoice',
      ...ctx,
      section: 'open-invoices',
      ...form,
      values: { ...defaults, ...values },
      errors,
    });
  }

  app.get('/portal/payments/new', { preHandler: pay }, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const { invoice_ids } = selectedInvoicesQuery.parse(request.query);
    if (invoice_ids.length === 0) {
      request.flash('warning', 'Select one or more open invoices, then choose Pay Selected.');
      return reply.seeOther('/portal/open-invoices');
    }
    return renderPayForm(reply, ctx, invoice_ids, {});
  });

  app.post('/portal/payments', { preHandler: pay }, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const paid = await paySelected(
      db,
      gateway,
      { customerId: ctx.customer.id, today: ctx.today, body, source: 'portal' },
      actorOf(contactOf(request)),
    );
    if (!paid.ok)
      return renderPayForm(reply.code(422), ctx, idList.catch([]).parse(body.invoice_ids), body, paid.errors);
    request.flash(...paymentConfirmation(paid.payment));
    return reply.seeOther(`/portal/transactions/${paid.payment.id}`);
  });
}
