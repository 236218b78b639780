import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { staffOf } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import { type FieldErrors, parseForm } from '../../lib/forms.ts';
import { type BillingContext, billingContext, idParam } from '../billing/context.ts';
import type { BillingOptions } from '../billing/routes.ts';
import { optionalText, tick } from '../billing/schemas.ts';
import type { BankDetails, CardDetails } from '../payments/gateway.ts';
import { digitsOf, passesAbaChecksum, passesLuhn } from './numbers.ts';
import {
  activePaymentMethod,
  activePaymentMethods,
  PaymentMethodRefused,
  type PaymentMethodRow,
  removePaymentMethod,
  savePaymentMethod,
} from './payment-methods.ts';

/** Fields that are never sent back to the browser, not even to refill a form. */
const SECRET_FIELDS = ['card_number', 'cvc', 'account_number'] as const;

const kindQuery = z.object({ kind: z.enum(['card', 'ach']).optional().catch(undefined) });

const methodForm = z
  .object({
    kind: z.enum(['card', 'ach'], { error: 'Choose Credit Card or ACH.' }),
    friendly_name: z
      .string()
      .trim()
      .min(1, 'Give it a name you will recognise, like “Mary’s Business Visa”.')
      .max(100, 'At most 100 characters.'),
    holder_name: z.string().trim().min(1, 'Enter the name on the card or account.').max(200, 'At most 200 characters.'),
    card_number: z.string().optional().default(''),
    exp_month: z.string().optional().default(''),
    exp_year: z.string().optional().default(''),
    cvc: z.string().optional().default(''),
    routing_number: z.string().optional().default(''),
    account_number: z.string().optional().default(''),
    account_type: z.enum(['checking', 'savings']).optional().default('checking'),
    address_line1: optionalText(200),
    city: optionalText(100),
    region: optionalText(100),
    postal_code: optionalText(20),
    country: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^([A-Z]{2})?$/, 'Two letters, like US.')
      .optional()
      .transform((v) => v || null),
    authorise: tick.refine((v) => v, 'Tick to confirm the customer authorised storing this payment method.'),
  })
  .transform((form, ctx) => {
    let details: CardDetails | BankDetails;
    if (form.kind === 'card') {
      const number = digitsOf(form.card_number);
      const month = Number(form.exp_month);
      const year = Number(form.exp_year);
      if (!passesLuhn(number))
        ctx.addIssue({
          code: 'custom',
          path: ['card_number'],
          message: 'This is not a valid card number. Check the digits.',
        });
      if (!Number.isInteger(month) || month < 1 || month > 12)
        ctx.addIssue({ code: 'custom', path: ['exp_month'], message: 'Choose the month.' });
      const now = new Date();
      if (!Number.isInteger(year) || year < now.getUTCFullYear() || year > now.getUTCFullYear() + 20)
        ctx.addIssue({ code: 'custom', path: ['exp_year'], message: 'Choose the year.' });
      else if (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1)
        ctx.addIssue({ code: 'custom', path: ['exp_month'], message: 'This card has expired.' });
      if (!/^\d{3,4}$/.test(form.cvc.trim()))
        ctx.addIssue({ code: 'custom', path: ['cvc'], message: 'The 3 or 4 digits on the card.' });
      details = {
        kind: 'card',
        number,
        expMonth: month,
        expYear: year,
        cvc: form.cvc.trim(),
        holderName: form.holder_name,
      };
    } else {
      const routing = digitsOf(form.routing_number);
      const account = digitsOf(form.account_number);
      if (!passesAbaChecksum(routing))
        ctx.addIssue({
          code: 'custom',
          path: ['routing_number'],
          message: 'This is not a valid 9-digit routing number. Check the digits.',
        });
      if (!/^\d{4,17}$/.test(account))
        ctx.addIssue({ code: 'custom', path: ['account_number'], message: 'An account number has 4 to 17 digits.' });
      details = {
        kind: 'ach',
        routingNumber: routing,
        accountNumber: account,
        accountType: form.account_type,
        holderName: form.holder_name,
      };
    }
    return {
      friendlyName: form.friendly_name,
      details,
      address: {
        line1: form.address_line1 ?? undefined,
        city: form.city ?? undefined,
        region: form.region ?? undefined,
        postalCode: form.postal_code ?? undefined,
        country: form.country ?? undefined,
      },
    };
  });

/** The submitted values without card or account numbers (for refilling a form that failed). */
function withoutSecrets(body: unknown): Record<string, unknown> {
  const values = { ...((body ?? {}) as Record<string, unknown>) };
  for (const field of SECRET_FIELDS) delete values[field];
  return values;
}

export default async function paymentMethodRoutes(app: FastifyInstance, { db, gateway }: BillingOptions) {
  for (const [section, kind, heading] of [
    ['credit-cards', 'card', 'Credit Cards'],
    ['bank-accounts', 'ach', 'Bank Accounts'],
  ] as const) {
    app.get(`/customers/:id/billing/${section}`, async (request, reply) => {
      const ctx = await billingContext(db, request);
      const methods = await activePaymentMethods(db, ctx.customer.id, kind);
      return reply.page('payment-methods/list', {
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
    return reply.page('payment-methods/form', {
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
    return renderForm(reply, ctx, { kind: kindQuery.parse(request.query).kind ?? 'card', country: 'US' }, {});
  });

  app.get('/customers/:id/billing/payment-methods/:methodId/edit', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const method = await activePaymentMethod(db, ctx.customer.id, idParam(request, 'methodId', 'This payment method'));
    // EDIT asks for everything again: only the kind and the name carry over.
    const kind = kindQuery.parse(request.query).kind ?? method.kind;
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
    const form = parseForm(methodForm, request.body);
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
    await removePaymentMethod(db, ctx.customer.id, method.id, actorOf(staffOf(request)));
    request.flash('success', `${method.friendly_name} was removed.`);
    return reply.seeOther(`${ctx.base}/${method.kind === 'card' ? 'credit-cards' : 'bank-accounts'}`);
  });
}
