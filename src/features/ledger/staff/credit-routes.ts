import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import { actorOf } from '../../../auth/principal.ts';
import type { Db } from '../../../db/index.ts';
import { type FieldErrors, parseForm } from '../../../lib/forms.ts';
import { formatCents } from '../../../lib/money.ts';
import { applyCredit, creditNumberFor, issueCreditMemo, refundCredit } from '../credits.ts';
import { ledgerFieldErrors } from '../errors.ts';
import { creditList } from '../page-data.ts';
import { creditOfCustomer, openInvoices, usesOfCredit } from '../queries.ts';
import { applyCreditForm, creditFilterQuery, creditMemoForm, idList, refundForm } from '../schemas.ts';
import { type BillingContext, billingContext, idParam, newIdempotencyKey } from './context.ts';

/** Only admin and support staff may create money out of nothing (memos) or pay it back (refunds). */
const financeStaff = requireStaff('admin', 'support');

/** A customer's credits under /customers/:id/billing/credits: memos, applying them, refunds (staff). */
export default async function creditRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  app.get('/customers/:id/billing/credits', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const { type } = creditFilterQuery.parse(request.query);
    return reply.page('ledger/credits/index', {
      title: `Customer Credits · ${ctx.customer.name}`,
      ...ctx,
      section: 'credits',
      ...(await creditList(db, ctx.customer.id, type)),
    });
  });

  function renderMemoForm(
    reply: FastifyReply,
    ctx: BillingContext,
    values: Record<string, unknown>,
    errors: FieldErrors = {},
  ) {
    return reply.page('ledger/credits/new', {
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
    const form = parseForm(creditMemoForm, request.body);
    if (!form.ok) return renderMemoForm(reply.code(422), ctx, request.body as Record<string, unknown>, form.errors);
    const credit = await issueCreditMemo(
      db,
      {
        customerId: ctx.customer.id,
        amountCents: form.data.amount,
        reason: form.data.reason,
        idempotencyKey: form.data.idempotency_key,
      },
      actorOf(staffOf(request)),
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
    const credit = await creditOfCustomer(db, ctx.customer.id, creditId);
    const [invoices, { applications, refunds }] = await Promise.all([
      openInvoices(db, ctx.customer.id, ctx.today),
      usesOfCredit(db, credit.id),
    ]);
    return reply.page('ledger/credits/show', {
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
    const form = parseForm(applyCreditForm, body);
    const values = { invoice_ids: body.invoice_ids, apply_key: body.idempotency_key };
    if (!form.ok) return renderCredit(reply.code(422), ctx, creditId, values, form.errors);
    try {
      const applied = await applyCredit(
        db,
        {
          customerId: ctx.customer.id,
          creditId,
          invoiceIds: form.data.invoice_ids,
          idempotencyKey: form.data.idempotency_key,
        },
        actorOf(staffOf(request)),
      );
      if (applied) request.flash('success', `${formatCents(applied)} of ${creditNumberFor(creditId)} applied.`);
    } catch (error) {
      const errors = ledgerFieldErrors(error);
      if (!errors) throw error;
      return renderCredit(reply.code(422), ctx, creditId, values, errors);
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
      const refunded = await refundCredit(
        db,
        {
          customerId: ctx.customer.id,
          creditId,
          amountCents: form.data.amount,
          reason: form.data.reason,
          idempotencyKey: form.data.idempotency_key,
        },
        actorOf(staffOf(request)),
      );
      if (refunded)
        request.flash('success', `${formatCents(form.data.amount)} refunded from ${creditNumberFor(creditId)}.`);
    } catch (error) {
      const errors = ledgerFieldErrors(error);
      if (!errors) throw error;
      return renderCredit(reply.code(422), ctx, creditId, values, asRefundErrors(errors));
    }
    return reply.seeOther(`${ctx.base}/credits/${creditId}`);
  });
}
