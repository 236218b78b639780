import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import { actorOf } from '../../../auth/principal.ts';
import type { Db } from '../../../db/index.ts';
import { asksForConfirmation, type FieldErrors, parseForm } from '../../../lib/forms.ts';
import type { PaymentGateway } from '../gateway.ts';
import { containsCardNumber } from '../payment-method-numbers.ts';
import {
  activePaymentMethod,
  activePaymentMethods,
  PaymentMethodRefused,
  type PaymentMethodRow,
  removePaymentMethod,
  savePaymentMethod,
} from '../payment-methods.ts';
import { paymentMethodForm, paymentMethodKindQuery } from '../schemas.ts';
import { type BillingContext, billingContext, idParam } from './context.ts';

/** Fields that are never sent back to the browser, not even to refill a form. */
const SECRET_FIELDS = ['card_number', 'cvc', 'account_number'] as const;

/** The submitted values without card or account numbers (for refilling a form that failed). */
function withoutSecrets(body: unknown): Record<string, unknown> {
  const values = { ...((body ?? {}) as Record<string, unknown>) };
  for (const field of SECRET_FIELDS) delete values[field];
  // A card number typed into a free-text field is refused, and not sent back either.
  for (const [field, value] of Object.entries(values))
    if (typeof value === 'string' && containsCardNumber(value)) values[field] = '';
  return values;
}

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

  function renderForm(
    reply: FastifyReply,
    ctx: BillingContext,
    values: Record<string, unknown>,
    errors: FieldErrors,
    replacing?: PaymentMethodRow,
  ) {
    const kind = values.kind === 'ach' ? 'ach' : 'card';
    return reply.page('ledger/payment-methods/form', {
      title: `${replacing ? 'Edit' : 'New'} payment method · ${ctx.customer.name}`,
      ...ctx,
      section: kind === 'card' ? 'credit-cards' : 'bank-accounts',
      kind,
      values,
      errors,
      replacing: replacing ?? null,
      thisYear: new Date().getUTCFullYear(),
      secretsCleared: Object.keys(errors).length > 0,
    });
  }

  app.get('/customers/:id/billing/payment-methods/new', async (request, reply) => {
    const ctx = await billingContext(db, request);
    return renderForm(
      reply,
      ctx,
      { kind: paymentMethodKindQuery.parse(request.query).kind ?? 'card', country: 'US' },
      {},
    );
  });

  app.get('/customers/:id/billing/payment-methods/:methodId/edit', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const method = await activePaymentMethod(db, ctx.customer.id, idParam(request, 'methodId', 'This payment method'));
    // EDIT asks for everything again: only the kind and the name carry over.
    const kind = paymentMethodKindQuery.parse(request.query).kind ?? method.kind;
    return renderForm(
      reply,
      ctx,
      { kind, friendly_name: method.friendly_name, country: method.country ?? 'US' },
      {},
      method,
    );
  });

  async function save(request: FastifyRequest, reply: FastifyReply, replacingId?: number) {
    const ctx = await billingContext(db, request);
    const replacing = replacingId ? await activePaymentMethod(db, ctx.customer.id, replacingId) : undefined;
    const form = parseForm(paymentMethodForm, request.body);
    if (!form.ok) return renderForm(reply.code(422), ctx, withoutSecrets(request.body), form.errors, replacing);
    try {
      const method = await savePaymentMethod(
        db,
        gateway,
        { customerId: ctx.customer.id, ...form.data },
        actorOf(staffOf(request)),
        replacing,
      );
      request.flash(
        'success',
        `${method.friendly_name} (${method.brand} ending ${method.last4}) was added. No payment was taken.`,
      );
      return reply.seeOther(`${ctx.base}/${method.kind === 'card' ? 'credit-cards' : 'bank-accounts'}`);
    } catch (error) {
      if (!(error instanceof PaymentMethodRefused)) throw error;
      return renderForm(reply.code(422), ctx, withoutSecrets(request.body), { _form: error.message }, replacing);
    }
  }

  app.post('/customers/:id/billing/payment-methods', (request, reply) => save(request, reply));
  app.post('/customers/:id/billing/payment-methods/:methodId', (request, reply) =>
    save(request, reply, idParam(request, 'methodId', 'This payment method')),
  );

  app.post('/customers/:id/billing/payment-methods/:methodId/removal', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const method = await activePaymentMethod(db, ctx.customer.id, idParam(request, 'methodId', 'This payment method'));
    const listPath = `${ctx.base}/${method.kind === 'card' ? 'credit-cards' : 'bank-accounts'}`;
    if (asksForConfirmation(request.body))
      return reply.confirmation({
        question: `Remove ${method.friendly_name}?`,
        detail: 'Payments already made with it are kept.',
        action: `${ctx.base}/payment-methods/${method.id}/removal`,
        yes: 'Remove payment method',
        no: 'Keep payment method',
        back: listPath,
      });
    await removePaymentMethod(db, ctx.customer.id, method.id, actorOf(staffOf(request)));
    request.flash('success', `${method.friendly_name} was removed.`);
    return reply.seeOther(listPath);
  });
}
