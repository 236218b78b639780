import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import { actorOf } from '../../../auth/principal.ts';
import type { Db } from '../../../db/index.ts';
import { type FieldErrors, parseForm, submittedValues } from '../../../lib/forms.ts';
import { formatCents } from '../../../lib/money.ts';
import { applyDeposit, depositNumberFor, depositsOf, receiveDeposit, refundDeposit } from '../deposits.ts';
import { ledgerFieldErrors } from '../errors.ts';
import { openInvoices } from '../queries.ts';
import { applyDepositForm, depositForm, refundForm } from '../schemas.ts';
import { type BillingContext, billingContext, idParam, newIdempotencyKey } from './context.ts';

/** Receiving and refunding money is for admin and support staff; applying a held deposit, as for credits, any staff. */
const financeStaff = requireStaff('admin', 'support');

/** Which form of the page failed, so its messages and typed values show beside it and nowhere else. */
type Failed = {
  form: 'new' | 'apply' | 'refund';
  depositId?: number;
  values: Record<string, string>;
  errors: FieldErrors;
};

/** *Security Deposits* (D4) under /customers/:id/billing/security-deposits: record, hold, apply, refund (staff). */
export default async function depositRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  async function render(reply: FastifyReply, ctx: BillingContext, failed?: Failed) {
    const [deposits, invoices] = await Promise.all([
      depositsOf(db, ctx.customer.id),
      openInvoices(db, ctx.customer.id, ctx.today, 100),
    ]);
    return reply.page('ledger/deposits/index', {
      title: `Security Deposits · ${ctx.customer.name}`,
      ...ctx,
      section: 'security-deposits',
      deposits,
      invoices,
      depositNumber: depositNumberFor,
      failed,
      newKey: newIdempotencyKey,
    });
  }

  const back = (ctx: BillingContext) => `${ctx.base}/security-deposits`;

  /** Runs a ledger action; a rule it refuses comes back as the form with its message (422). */
  async function act(
    reply: FastifyReply,
    ctx: BillingContext,
    failed: Omit<Failed, 'errors'>,
    action: () => Promise<unknown>,
  ) {
    try {
      await action();
    } catch (error) {
      const errors = ledgerFieldErrors(error);
      if (!errors) throw error;
      return render(reply.code(422), ctx, { ...failed, errors });
    }
    return reply.seeOther(back(ctx));
  }

  app.get('/customers/:id/billing/security-deposits', async (request, reply) =>
    render(reply, await billingContext(db, request)),
  );

  app.post('/customers/:id/billing/security-deposits', { preHandler: financeStaff }, async (request, reply) => {
    const ctx = await billingContext(db, request);
    const values = submittedValues(request.body);
    const form = parseForm(depositForm, values);
    if (!form.ok) return render(reply.code(422), ctx, { form: 'new', values, errors: form.errors });
    const { data } = form;
    return act(reply, ctx, { form: 'new', values }, async () => {
      const { deposit, created } = await receiveDeposit(
        db,
        {
          customerId: ctx.customer.id,
          amountCents: data.amount,
          reference: data.reference,
          reason: data.reason,
          today: ctx.today,
          idempotencyKey: data.idempotency_key,
        },
        actorOf(staffOf(request)),
      );
      if (created)
        request.flash(
          'success',
          `Deposit ${depositNumberFor(deposit.id)} of ${formatCents(data.amount)} received and held.`,
        );
    });
  });

  app.post('/customers/:id/billing/security-deposits/:depositId/applications', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const depositId = idParam(request, 'depositId', 'This deposit');
    const values = submittedValues(request.body);
    const form = parseForm(applyDepositForm, values);
    if (!form.ok) return render(reply.code(422), ctx, { form: 'apply', depositId, values, errors: form.errors });
    const { data } = form;
    return act(reply, ctx, { form: 'apply', depositId, values }, async () => {
      const applied = await applyDeposit(
        db,
        {
          customerId: ctx.customer.id,
          depositId,
          invoiceId: data.invoice_id,
          amountCents: data.amount,
          idempotencyKey: data.idempotency_key,
        },
        actorOf(staffOf(request)),
      );
      if (applied) request.flash('success', `${formatCents(data.amount)} of ${depositNumberFor(depositId)} applied.`);
    });
  });

  app.post(
    '/customers/:id/billing/security-deposits/:depositId/refunds',
    { preHandler: financeStaff },
    async (request, reply) => {
      const ctx = await billingContext(db, request);
      const depositId = idParam(request, 'depositId', 'This deposit');
      const values = submittedValues(request.body);
      const form = parseForm(refundForm, values);
      if (!form.ok) return render(reply.code(422), ctx, { form: 'refund', depositId, values, errors: form.errors });
      const { data } = form;
      return act(reply, ctx, { form: 'refund', depositId, values }, async () => {
        const refunded = await refundDeposit(
          db,
          {
            customerId: ctx.customer.id,
            depositId,
            amountCents: data.amount,
            reason: data.reason,
            idempotencyKey: data.idempotency_key,
          },
          actorOf(staffOf(request)),
        );
        if (refunded)
          request.flash('success', `${formatCents(data.amount)} of ${depositNumberFor(depositId)} refunded.`);
      });
    },
  );
}
