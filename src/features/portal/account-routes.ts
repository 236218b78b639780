import type { FastifyInstance, FastifyReply } from 'fastify';
import { contactOf, requireContact } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import { asksForConfirmation, type FieldErrors, parseForm } from '../../lib/forms.ts';
import { idParam } from '../../lib/params.ts';
import { paymentsCalendar } from '../ledger/autopay/overview.ts';
import { ledgerFieldErrors } from '../ledger/errors.ts';
import {
  cancelScheduledConfirmation,
  creditList,
  rescheduledMessage,
  reschedulePage,
  transactionDetail,
} from '../ledger/page-data.ts';
import { cancelScheduledPayment, reschedulePayment, transactionNumberFor } from '../ledger/payments.ts';
import { type TransactionRow, transactionOfCustomer, transactionPage } from '../ledger/queries.ts';
import { creditFilterQuery, monthQuery, pageQuery, rescheduleForm } from '../ledger/schemas.ts';
import { sendStatementPdf } from '../statements/routes.ts';
import { statementPeriodQuery } from '../statements/schemas.ts';
import { accountStatement } from '../statements/statement.ts';
import { type PortalContext, portalContext } from './context.ts';

/**
 * The rest of the portal (E14): transactions, pending and scheduled payments, the payments calendar,
 * credits and statements, each behind the contact-profile permission that governs it.
 */
export default async function portalAccountRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const viewInvoices = requireContact('view_invoices');

  app.get('/portal/transactions', { preHandler: viewInvoices }, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const { before } = pageQuery.parse(request.query);
    const page = await transactionPage(db, ctx.customer.id, { before });
    return reply.page('ledger/payments/history', {
      title: 'Transaction History',
      ...ctx,
      section: 'transactions',
      ...page,
      before,
    });
  });

  for (const status of ['pending', 'scheduled'] as const) {
    app.get(`/portal/${status}`, { preHandler: viewInvoices }, async (request, reply) => {
      const ctx = await portalContext(db, request);
      const { before } = pageQuery.parse(request.query);
      const page = await transactionPage(db, ctx.customer.id, { before, statuses: [status] });
      return reply.page(`ledger/payments/${status}`, {
        title: status === 'pending' ? 'Pending' : 'Scheduled',
        ...ctx,
        section: status,
        ...page,
        before,
      });
    });
  }

  app.get('/portal/transactions/:paymentId', { preHandler: viewInvoices }, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const detail = await transactionDetail(db, ctx.customer.id, idParam(request, 'paymentId', 'This transaction'));
    return reply.page('ledger/payments/detail', {
      title: transactionNumberFor(detail.payment.id),
      ...ctx,
      section: 'transactions',
      ...detail,
    });
  });

  app.get('/portal/calendar', { preHandler: viewInvoices }, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const calendar = await paymentsCalendar(db, ctx.customer.id, ctx.today, monthQuery.parse(request.query));
    const data = { title: 'Payments Calendar', ...ctx, section: 'calendar', ...calendar };
    return reply.pageOrFragment({ page: 'ledger/billing/calendar', fragment: 'ledger/billing/_calendar-day' }, data);
  });

  app.get('/portal/credits', { preHandler: requireContact('see_credits') }, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const { type } = creditFilterQuery.parse(request.query);
    return reply.page('ledger/credits/index', {
      title: 'Customer Credits',
      ...ctx,
      section: 'credits',
      ...(await creditList(db, ctx.customer.id, type)),
    });
  });

  const receiveStatements = requireContact('receive_statements');

  app.get('/portal/statement', { preHandler: receiveStatements }, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const statement = await accountStatement(db, ctx.customer.id, statementPeriodQuery(ctx.today).parse(request.query));
    return reply.page('portal/statement', { title: 'Statements', ...ctx, section: 'statement', statement });
  });

  app.get('/portal/statement.pdf', { preHandler: receiveStatements }, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const statement = await accountStatement(db, ctx.customer.id, statementPeriodQuery(ctx.today).parse(request.query));
    return sendStatementPdf(reply, ctx.customer, statement);
  });

  // E8: a contact who may pay may also move or cancel a scheduled payment, through the same ledger functions.
  const pay = requireContact('pay');

  function renderReschedule(
    reply: FastifyReply,
    ctx: PortalContext,
    payment: TransactionRow,
    values: Record<string, unknown>,
    errors: FieldErrors = {},
  ) {
    return reply.page('ledger/payments/reschedule', { ...ctx, ...reschedulePage(payment, values, errors) });
  }

  app.get('/portal/scheduled/:paymentId/reschedule', { preHandler: pay }, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const payment = await transactionOfCustomer(db, ctx.customer.id, idParam(request, 'paymentId', 'This payment'));
    return renderReschedule(reply, ctx, payment, {});
  });

  app.post('/portal/scheduled/:paymentId', { preHandler: pay }, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const payment = await transactionOfCustomer(db, ctx.customer.id, idParam(request, 'paymentId', 'This payment'));
    const body = (request.body ?? {}) as Record<string, unknown>;
    const form = parseForm(rescheduleForm, body);
    if (!form.ok) return renderReschedule(reply.code(422), ctx, payment, body, form.errors);
    try {
      await reschedulePayment(
        db,
        ctx.customer.id,
        payment.id,
        form.data.paid_on,
        ctx.today,
        actorOf(contactOf(request)),
      );
    } catch (error) {
      const errors = ledgerFieldErrors(error);
      if (!errors) throw error;
      return renderReschedule(reply.code(422), ctx, payment, body, errors);
    }
    request.flash('success', rescheduledMessage(payment, form.data.paid_on));
    return reply.seeOther('/portal/scheduled');
  });

  app.post('/portal/scheduled/:paymentId/cancellation', { preHandler: pay }, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const payment = await transactionOfCustomer(db, ctx.customer.id, idParam(request, 'paymentId', 'This payment'));
    if (asksForConfirmation(request.body))
      return reply.confirmation({ ...cancelScheduledConfirmation(payment, ctx.base), portal: true }, ctx);
    await cancelScheduledPayment(db, ctx.customer.id, payment.id, actorOf(contactOf(request)));
    request.flash('success', `Scheduled payment ${transactionNumberFor(payment.id)} cancelled.`);
    return reply.seeOther('/portal/scheduled');
  });
}
