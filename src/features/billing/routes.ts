import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireStaff } from '../../auth/guards.ts';
import type { Db } from '../../db/index.ts';
import creditRoutes from '../credits/routes.ts';
import invoiceRoutes from '../invoices/routes.ts';
import { activePaymentMethods } from '../payment-methods/payment-methods.ts';
import paymentMethodRoutes from '../payment-methods/routes.ts';
import type { PaymentGateway } from '../payments/gateway.ts';
import paymentRoutes from '../payments/routes.ts';
import { billingContext } from './context.ts';
import { openInvoices, scheduledByDay, scheduledOn, transactionPage } from './queries.ts';

export type BillingOptions = { db: Db; gateway: PaymentGateway };

const OVERVIEW_INVOICES = 10;
/** The dedicated page lists this many, oldest due first; paying those brings the next ones up. */
const OPEN_INVOICES_SHOWN = 500;

/** Tabs that another issue fills (Autopay) or that have nothing yet: an empty state saying so. */
const emptySections = {
  'unbilled-cdrs': {
    title: 'Unbilled CDRs',
    message: 'No unbilled call records. Calls rated since the last bill run appear here until they are invoiced.',
  },
  'automatic-payments': {
    title: 'Automatic Payments',
    message:
      'No Autopay configurations yet. Autopay pays qualifying invoices automatically with a stored payment method.',
  },
  'security-deposits': { title: 'Security Deposits', message: 'No security deposits are held for this customer.' },
} as const;

const monthQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .optional()
    .catch(undefined),
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .catch(undefined),
});

/** The *Billing Information* pages of a customer: /customers/:id/billing/… (staff; tenant-scoped). */
export default async function billingRoutes(app: FastifyInstance, opts: BillingOptions) {
  const { db } = opts;
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  app.get('/customers/:id/billing', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const [invoices, methods, scheduled] = await Promise.all([
      openInvoices(db, ctx.customer.id, ctx.today, OVERVIEW_INVOICES + 1),
      activePaymentMethods(db, ctx.customer.id),
      transactionPage(db, ctx.customer.id, { statuses: ['pending', 'scheduled'] }),
    ]);
    return reply.page('billing/overview', {
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
    return reply.page('billing/open-invoices', {
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
    const query = monthQuery.parse(request.query);
    const month = query.month ?? query.day?.slice(0, 7) ?? ctx.today.slice(0, 7);
    const grid = monthGrid(month);
    const days = await scheduledByDay(db, ctx.customer.id, grid.first, grid.last);
    const breakdown = query.day ? await scheduledOn(db, ctx.customer.id, query.day) : null;
    const data = {
      title: `Payments Calendar · ${ctx.customer.name}`,
      ...ctx,
      section: 'calendar',
      month,
      grid,
      days,
      day: query.day ?? null,
      breakdown,
    };
    return reply.pageOrFragment({ page: 'billing/calendar', fragment: 'billing/_calendar-day' }, data);
  });

  for (const [key, section] of Object.entries(emptySections)) {
    app.get(`/customers/:id/billing/${key}`, async (request, reply) => {
      const ctx = await billingContext(db, request);
      return reply.page('billing/empty', {
        title: `${section.title} · ${ctx.customer.name}`,
        ...ctx,
        section: key,
        heading: section.title,
        message: section.message,
      });
    });
  }

  await app.register(invoiceRoutes, opts);
  await app.register(paymentRoutes, opts);
  await app.register(paymentMethodRoutes, opts);
  await app.register(creditRoutes, opts);
}

/** The weeks (Sunday first) covering a month, as ISO dates; days outside the month are marked. */
export function monthGrid(month: string) {
  const start = new Date(`${month}-01T00:00:00Z`);
  const next = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const cursor = new Date(start.getTime() - start.getUTCDay() * 86_400_000);
  const weeks: { date: string; inMonth: boolean }[][] = [];
  while (cursor < next) {
    const week = [];
    for (let i = 0; i < 7; i++) {
      week.push({ date: iso(cursor), inMonth: cursor.getUTCMonth() === start.getUTCMonth() });
      cursor.setUTCDate(cursor.getUTCDate() + 1);
    }
    weeks.push(week);
  }
  const previous = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - 1, 1));
  return {
    weeks,
    first: weeks[0][0].date,
    last: weeks[weeks.length - 1][6].date,
    label: new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(start),
    previous: iso(previous).slice(0, 7),
    next: iso(next).slice(0, 7),
  };
}
