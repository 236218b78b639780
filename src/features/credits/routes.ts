import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import { type FieldErrors, parseForm } from '../../lib/forms.ts';
import { notFound } from '../../lib/http-error.ts';
import { formatCents } from '../../lib/money.ts';
import { type BillingContext, billingContext, idParam, newIdempotencyKey } from '../billing/context.ts';
import { creditsOf, openInvoices } from '../billing/queries.ts';
import type { BillingOptions } from '../billing/routes.ts';
import { idempotencyKey, idList, moneyField } from '../billing/schemas.ts';
import { LedgerError } from '../payments/payments.ts';
import { applyCredit, type CreditRow, creditNumberFor, issueCreditMemo, refundCredit } from './credits.ts';

const filterQuery = z.object({ type: z.enum(['memo', 'unapplied', 'all']).catch('all') });
const reason = z.string().trim().min(1, 'Say why, for the customer’s history.').max(300, 'At most 300 characters.');
const memoForm = z.object({ amount: moneyField, reason, idempotency_key: idempotencyKey });
const applyForm = z.object({
  invoice_ids: idList.refine((ids) => ids.length > 0, 'Choose one or more open invoices.'),
  idempotency_key: idempotencyKey,
});
const refundForm = z.object({ amount: moneyField, reason, idempotency_key: idempotencyKey });

/** Only admin and support staff may create money out of nothing (memos) or pay it back (refunds). */
const financeStaff = requireStaff('admin', 'support');

export default async function creditRoutes(app: FastifyInstance, { db }: BillingOptions) {
  app.get('/customers/:id/billing/credits', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const { type } = filterQuery.parse(request.query);
    const credits: CreditRow[] = await creditsOf(db, ctx.customer.id, type === 'all' ? undefined : type);
    const total = credits.reduce((s, c) => s + c.remaining_cents, 0);
    return reply.page('credits/index', {
      title: `Customer Credits · ${ctx.customer.name}`,
      ...ctx,
      section: 'credits',
      type,
      credits,
      total,
    });
  });

  function renderMemoForm(
    reply: FastifyReply,
    ctx: BillingContext,
    values: Record<string, unknown>,
    errors: FieldErrors = {},
  ) {
    return reply.page('credits/new', {
      title: `New credit memo · ${ctx.customer.name}`,
      ...ctx,
      section: 'credits',
      values: { idempotency_key: newIdempotencyKey(), ...values },
      errors,
    });
  }

  app.get('/customers/:id/billing/credits/new', { preHandler: financeStaff }, async (request, reply) =>
    renderMemoForm(reply, await billingContext(db, request), {}),
  );

  app.post('/customers/:id/billing/credits', { preHandler: financeStaff }, async (request, reply) => {
    const ctx = await billingContext(db, request);
    const form = parseForm(memoForm, request.body);
    if (!form.ok) return renderMemoForm(reply.code(422), ctx, request.body as Record<string, unknown>, form.errors);
    const credit = await db.transaction((trx) =>
      issueCreditMemo(
        trx,
        {
          customerId: ctx.customer.id,
          amountCents: form.data.amount,
          reason: form.data.reason,
          idempotencyKey: form.data.idempotency_key,
        },
        actorOf(staffOf(request)),
      ),
    );
    request.flash(
      'success',
      `Credit memo ${creditNumberFor(credit.id)} for ${formatCents(credit.amount_cents)} issued.`,
    );
    return reply.seeOther(`${ctx.base}/credits/${credit.id}`);
  });

  async function renderCredit(
    reply: FastifyReply,
    ctx: BillingContext,
    creditId: number,
    values: Record<string, unknown> = {},
    errors: FieldErrors = {},
  ) {
    const credit: CreditRow | undefined = await db('credits')
      .where({ id: creditId, customer_id: ctx.customer.id })
      .first();
    if (!credit) throw notFound('This credit');
    const [invoices, applications, refunds] = await Promise.all([
      openInvoices(db, ctx.customer.id, ctx.today),
      db('credit_applications as ca')
        .join('invoices as i', 'i.id', 'ca.invoice_id')
        .where('ca.credit_id', credit.id)
        .orderBy('ca.id')
        .select('ca.*', 'i.number'),
      db('refunds').where('credit_id', credit.id).orderBy('id'),
    ]);
    return reply.page('credits/show', {
      title: creditNumberFor(credit.id),
      ...ctx,
      section: 'credits',
      credit,
      invoices: invoices.filter((i) => i.payable_cents > 0),
      applications,
      refunds,
      selected: new Set(idList.catch([]).parse(values.invoice_ids)),
      values: { apply_key: newIdempotencyKey(), refund_key: newIdempotencyKey(), ...values },
      errors,
    });
  }

  app.get('/customers/:id/billing/credits/:creditId', async (request, reply) => {
    const ctx = await billingContext(db, request);
    return renderCredit(reply, ctx, idParam(request, 'creditId', 'This credit'));
  });

  app.post('/customers/:id/billing/credits/:creditId/applications', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const creditId = idParam(request, 'creditId', 'This credit');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const form = parseForm(applyForm, body);
    const values = { invoice_ids: body.invoice_ids, apply_key: body.idempotency_key };
    if (!form.ok) return renderCredit(reply.code(422), ctx, creditId, values, form.errors);
    try {
      const applied = await db.transaction((trx) =>
        applyCredit(
          trx,
          {
            customerId: ctx.customer.id,
            creditId,
            invoiceIds: form.data.invoice_ids,
            idempotencyKey: form.data.idempotency_key,
          },
          actorOf(staffOf(request)),
        ),
      );
      if (applied) request.flash('success', `${formatCents(applied)} of ${creditNumberFor(creditId)} applied.`);
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      return renderCredit(reply.code(422), ctx, creditId, values, { [error.field]: error.message });
    }
    return reply.seeOther(`${ctx.base}/credits/${creditId}`);
  });

  app.post('/customers/:id/billing/credits/:creditId/refunds', { preHandler: financeStaff }, async (request, reply) => {
    const ctx = await billingContext(db, request);
    const creditId = idParam(request, 'creditId', 'This credit');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const form = parseForm(refundForm, body);
    const values = { refund_amount: body.amount, refund_reason: body.reason, refund_key: body.idempotency_key };
    const asRefundErrors = (errors: FieldErrors) =>
      Object.fromEntries(Object.entries(errors).map(([k, v]) => [`refund_${k}`, v]));
    if (!form.ok) return renderCredit(reply.code(422), ctx, creditId, values, asRefundErrors(form.errors));
    try {
      const refunded = await db.transaction((trx) =>
        refundCredit(
          trx,
          {
            customerId: ctx.customer.id,
            creditId,
            amountCents: form.data.amount,
            reason: form.data.reason,
            idempotencyKey: form.data.idempotency_key,
          },
          actorOf(staffOf(request)),
        ),
      );
      if (refunded)
        request.flash('success', `${formatCents(form.data.amount)} refunded from ${creditNumberFor(creditId)}.`);
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      return renderCredit(reply.code(422), ctx, creditId, values, asRefundErrors({ [error.field]: error.message }));
    }
    return reply.seeOther(`${ctx.base}/credits/${creditId}`);
  });
}
