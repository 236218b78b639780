import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import { actorOf } from '../../../auth/principal.ts';
import type { Db } from '../../../db/index.ts';
import { asksForConfirmation } from '../../../lib/forms.ts';
import type { PaymentGateway } from '../gateway.ts';
import { paymentMethodRemovalConfirmation } from '../page-data.ts';
import { editValues, paymentMethodFormData, submitPaymentMethod } from '../payment-method-form.ts';
import { activePaymentMethod, activePaymentMethods, removePaymentMethod } from '../payment-methods.ts';
import { paymentMethodKindQuery } from '../schemas.ts';
import { type BillingContext, billingContext, idParam } from './context.ts';

/** A customer's stored cards and bank accounts under /customers/:id/billing (staff). */
export default async function paymentMethodRoutes(
  app: FastifyInstance,
  { db, gateway }: { db: Db; gateway: PaymentGateway },
) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  for (const [section, kind, heading] of [
    ['credit-cards', 'card', 'Credit Cards'],
    ['bank-accounts', 'ach', 'Bank Accounts'],
  ] as const) {
    app.get(`/customers/:id/billing/${section}`, async (request, reply) => {
      const ctx = await billingContext(db, request);
      const methods = await activePaymentMethods(db, ctx.customer.id, kind);
      return reply.page('ledger/payment-methods/list', {
        title: `${heading} · ${ctx.customer.name}`,
        ...ctx,
        section,
        kind,
        heading,
        methods,
      });
    });
  }

  const listOf = (ctx: BillingContext, kind: 'card' | 'ach') =>
    `${ctx.base}/${kind === 'card' ? 'credit-cards' : 'bank-accounts'}`;

  function renderForm(reply: FastifyReply, ctx: BillingContext, form: ReturnType<typeof paymentMethodFormData>) {
    return reply.page('ledger/payment-methods/form', {
      title: `${form.replacing ? 'Edit' : 'New'} payment method · ${ctx.customer.name}`,
      ...ctx,
      section: form.kind === 'card' ? 'credit-cards' : 'bank-accounts',
      listPath: listOf(ctx, form.kind),
      ...form,
    });
  }

  app.get('/customers/:id/billing/payment-methods/new', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const kind = paymentMethodKindQuery.parse(request.query).kind ?? 'card';
    return renderForm(reply, ctx, paymentMethodFormData({ kind, country: 'US' }, {}, undefined));
  });

  app.get('/customers/:id/billing/payment-methods/:methodId/edit', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const method = await activePaymentMethod(db, ctx.customer.id, idParam(request, 'methodId', 'This payment method'));
    const values = editValues(method, paymentMethodKindQuery.parse(request.query).kind);
    return renderForm(reply, ctx, paymentMethodFormData(values, {}, method));
  });

  async function save(request: FastifyRequest, reply: FastifyReply, replacingId?: number) {
    const ctx = await billingContext(db, request);
    const input = { customerId: ctx.customer.id, body: request.body, replacingId };
    const saved = await submitPaymentMethod(db, gateway, input, actorOf(staffOf(request)));
    if (!saved.ok) return renderForm(reply.code(422), ctx, saved.form);
    request.flash('success', saved.message);
    return reply.seeOther(listOf(ctx, saved.method.kind));
  }

  app.post('/customers/:id/billing/payment-methods', (request, reply) => save(request, reply));
  app.post('/customers/:id/billing/payment-methods/:methodId', (request, reply) =>
    save(request, reply, idParam(request, 'methodId', 'This payment method')),
  );

  app.post('/customers/:id/billing/payment-methods/:methodId/removal', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const method = await activePaymentMethod(db, ctx.customer.id, idParam(request, 'methodId', 'This payment method'));
    if (asksForConfirmation(request.body))
      return reply.confirmation(
        paymentMethodRemovalConfirmation(method, `${ctx.base}/payment-methods`, listOf(ctx, method.kind)),
      );
    await removePaymentMethod(db, ctx.customer.id, method.id, actorOf(staffOf(request)));
    request.flash('success', `${method.friendly_name} was removed.`);
    return reply.seeOther(listOf(ctx, method.kind));
  });
}
