import type { FastifyInstance } from 'fastify';
import { requireStaff } from '../../../auth/guards.ts';
import type { Db } from '../../../db/index.ts';
import { paymentsCalendar } from '../autopay/overview.ts';
import { activePaymentMethods } from '../payment-methods.ts';
import { openInvoices, transactionPage } from '../queries.ts';
import { monthQuery } from '../schemas.ts';
import { billingContext } from './context.ts';

const OVERVIEW_INVOICES = 10;
/** The dedicated page lists this many, oldest due first; paying those brings the next ones up. */
const OPEN_INVOICES_SHOWN = 500;

/**
 * The *Billing Information* tab of a customer: Balance, Open Invoices and the Payments Calendar, under
 * /customers/:id/billing (staff; tenant-scoped).
 */
export default async function billingRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  app.get('/customers/:id/billing', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const [invoices, methods, scheduled] = await Promise.all([
      openInvoices(db, ctx.customer.id, ctx.today, OVERVIEW_INVOICES + 1),
      activePaymentMethods(db, ctx.customer.id),
      transactionPage(db, ctx.customer.id, { statuses: ['pending', 'scheduled'] }),
    ]);
    return reply.page('ledger/billing/overview', {
      title: `Balance · ${ctx.customer.name}`,
      ...ctx,
      section: 'balance',
      invoices: invoices.slice(0, OVERVIEW_INVOICES),
      moreInvoices: invoices.length > OVERVIEW_INVOICES,
      methods,
      upcoming: scheduled.rows.slice(0, 5),
    });
  });

  app.get('/customers/:id/billing/open-invoices', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const invoices = await openInvoices(db, ctx.customer.id, ctx.today, OPEN_INVOICES_SHOWN + 1);
    return reply.page('ledger/billing/open-invoices', {
      title: `Open Invoices · ${ctx.customer.name}`,
      ...ctx,
      section: 'open-invoices',
      invoices: invoices.slice(0, OPEN_INVOICES_SHOWN),
      shown: OPEN_INVOICES_SHOWN,
      more: invoices.length > OPEN_INVOICES_SHOWN,
    });
  });

  app.get('/customers/:id/billing/calendar', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const calendar = await paymentsCalendar(db, ctx.customer.id, ctx.today, monthQuery.parse(request.query));
    const data = {
      title: `Payments Calendar · ${ctx.customer.name}`,
      ...ctx,
      section: 'calendar',
      ...calendar,
    };
    return reply.pageOrFragment({ page: 'ledger/billing/calendar', fragment: 'ledger/billing/_calendar-day' }, data);
  });
}
