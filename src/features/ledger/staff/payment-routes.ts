import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import { actorOf } from '../../../auth/principal.ts';
import type { Db } from '../../../db/index.ts';
import { asksForConfirmation, type FieldErrors, parseForm } from '../../../lib/forms.ts';
import { formatCents } from '../../../lib/money.ts';
import { startPayment } from '../charging.ts';
import { ledgerFieldErrors } from '../errors.ts';
import type { PaymentGateway } from '../gateway.ts';
import { cancelScheduledConfirmation, rescheduledMessage, reschedulePage, transactionDetail } from '../page-data.ts';
import { payFormData, paymentConfirmation, paySelected } from '../pay-selected.ts';
import { cancelScheduledPayment, reschedulePayment, transactionNumberFor } from '../payments.ts';
import { openInvoices, type TransactionRow, transactionOfCustomer, transactionPage } from '../queries.ts';
import { checkForm, idList, pageQuery, rescheduleForm, selectedInvoicesQuery } from '../schemas.ts';
import { type BillingContext, billingContext, idParam, newIdempotencyKey } from './context.ts';

/**
 * A customer's payments under /customers/:id/billing: Pay Selected, checks, Transactions, Pending and
 * Scheduled with reschedule and cancel (staff).
 */
export default async function paymentRoutes(
  app: FastifyInstance,
  { db, gateway }: { db: Db; gateway: PaymentGateway },
) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  async function renderPayForm(
    reply: FastifyReply,
    ctx: BillingContext,
    invoiceIds: number[],
    values: Record<string, unknown>,
    errors: FieldErrors = {},
  ) {
    const { defaults, ...form } = await payFormData(db, ctx.customer.id, invoiceIds, ctx.today);
    return reply.page('ledger/payments/pay', {
      title: `Pay Invoice · ${ctx.customer.name}`,
      ...ctx,
      section: 'open-invoices',
      ...form,
      values: { ...defaults, ...values },
      errors,
    });
  }

  app.get('/customers/:id/billing/payments/new', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const { invoice_ids } = selectedInvoicesQuery.parse(request.query);
    if (invoice_ids.length === 0) {
      request.flash('warning', 'Select one or more open invoices, then choose Pay Selected.');
      return reply.seeOther(`${ctx.base}/open-invoices`);
    }
    return renderPayForm(reply, ctx, invoice_ids, {});
  });

  app.post('/customers/:id/billing/payments', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const paid = await paySelected(
      db,
      gateway,
      { customerId: ctx.customer.id, today: ctx.today, body, source: 'manual' },
      actorOf(staffOf(request)),
    );
    if (!paid.ok)
      return renderPayForm(reply.code(422), ctx, idList.catch([]).parse(body.invoice_ids), body, paid.errors);
    request.flash(...paymentConfirmation(paid.payment));
    return reply.seeOther(`${ctx.base}/transactions/${paid.payment.id}`);
  });

  app.get('/customers/:id/billing/transactions', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const { before } = pageQuery.parse(request.query);
    const page = await transactionPage(db, ctx.customer.id, { before });
    return reply.page('ledger/payments/history', {
      title: `Transactions · ${ctx.customer.name}`,
      ...ctx,
      section: 'transactions',
      ...page,
      before,
    });
  });

  for (const status of ['pending', 'scheduled'] as const) {
    app.get(`/customers/:id/billing/${status}`, async (request, reply) => {
      const ctx = await billingContext(db, request);
      const { before } = pageQuery.parse(request.query);
      const page = await transactionPage(db, ctx.customer.id, { before, statuses: [status] });
      return reply.page(`ledger/payments/${status}`, {
        title: `${status === 'pending' ? 'Pending' : 'Scheduled'} · ${ctx.customer.name}`,
        ...ctx,
        section: status,
        ...page,
        before,
      });
    });
  }

  app.get('/customers/:id/billing/transactions/:paymentId', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const detail = await transactionDetail(db, ctx.customer.id, idParam(request, 'paymentId', 'This transaction'));
    return reply.page('ledger/payments/detail', {
      title: transactionNumberFor(detail.payment.id),
      ...ctx,
      section: 'transactions',
      ...detail,
    });
  });

  async function renderCheckForm(
    reply: FastifyReply,
    ctx: BillingContext,
    values: Record<string, unknown>,
    errors: FieldErrors = {},
  ) {
    const invoices = await openInvoices(db, ctx.customer.id, ctx.today);
    const selected = new Set(idList.catch([]).parse(values.invoice_ids));
    return reply.page('ledger/payments/check', {
      title: `Record a check · ${ctx.customer.name}`,
      ...ctx,
      section: 'transactions',
      invoices,
      selected,
      values: { paid_on: ctx.today, idempotency_key: newIdempotencyKey(), ...values },
      errors,
    });
  }

  app.get('/customers/:id/billing/checks/new', async (request, reply) =>
    renderCheckForm(reply, await billingContext(db, request), {}),
  );

  app.post('/customers/:id/billing/checks', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const form = parseForm(checkForm, body);
    if (!form.ok) return renderCheckForm(reply.code(422), ctx, body, form.errors);
    try {
      const { payment } = await startPayment(
        db,
        gateway,
        {
          customerId: ctx.customer.id,
          amountCents: form.data.amount,
          method: 'check',
          reference: form.data.reference,
          source: 'external',
          paidOn: form.data.paid_on,
          today: ctx.today,
          invoiceIds: form.data.invoice_ids,
          remainder: 'credit',
          idempotencyKey: form.data.idempotency_key,
        },
        actorOf(staffOf(request)),
      );
      request.flash('success', `Check ${form.data.reference} for ${formatCents(payment.amount_cents)} recorded.`);
      return reply.seeOther(`${ctx.base}/transactions/${payment.id}`);
    } catch (error) {
      const errors = ledgerFieldErrors(error);
      if (!errors) throw error;
      return renderCheckForm(reply.code(422), ctx, body, errors);
    }
  });

  function renderReschedule(
    reply: FastifyReply,
    ctx: BillingContext,
    payment: TransactionRow,
    values: Record<string, unknown>,
    errors: FieldErrors = {},
  ) {
    return reply.page('ledger/payments/reschedule', { ...ctx, ...reschedulePage(payment, values, errors) });
  }

  app.get('/customers/:id/billing/scheduled/:paymentId/reschedule', async (request, reply) => {
    const ctx = await billingContext(db, request);
    return renderReschedule(
      reply,
      ctx,
      await transactionOfCustomer(db, ctx.customer.id, idParam(request, 'paymentId', 'This payment')),
      {},
    );
  });

  app.post('/customers/:id/billing/scheduled/:paymentId', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const payment = await transactionOfCustomer(db, ctx.customer.id, idParam(request, 'paymentId', 'This payment'));
    const form = parseForm(rescheduleForm, request.body);
    if (!form.ok)
      return renderReschedule(reply.code(422), ctx, payment, request.body as Record<string, unknown>, form.errors);
    try {
      await reschedulePayment(db, ctx.customer.id, payment.id, form.data.paid_on, ctx.today, actorOf(staffOf(request)));
    } catch (error) {
      const errors = ledgerFieldErrors(error);
      if (!errors) throw error;
      return renderReschedule(reply.code(422), ctx, payment, request.body as Record<string, unknown>, errors);
    }
    request.flash('success', rescheduledMessage(payment, form.data.paid_on));
    return reply.seeOther(`${ctx.base}/scheduled`);
  });

  app.post('/customers/:id/billing/scheduled/:paymentId/cancellation', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const payment = await transactionOfCustomer(db, ctx.customer.id, idParam(request, 'paymentId', 'This payment'));
    if (asksForConfirmation(request.body))
      return reply.confirmation(cancelScheduledConfirmation(payment, ctx.base), { ...ctx, section: 'scheduled' });
    await cancelScheduledPayment(db, ctx.customer.id, payment.id, actorOf(staffOf(request)));
    request.flash('success', `Scheduled payment ${transactionNumberFor(payment.id)} cancelled.`);
    return reply.seeOther(`${ctx.base}/scheduled`);
  });
}
