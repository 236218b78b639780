import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { contactOf, requireContact } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import { asksForConfirmation } from '../../lib/forms.ts';
import { idParam } from '../../lib/params.ts';
import type { PaymentGateway } from '../ledger/gateway.ts';
import { paymentMethodRemovalConfirmation } from '../ledger/page-data.ts';
import { editValues, paymentMethodFormData, submitPaymentMethod } from '../ledger/payment-method-form.ts';
import { activePaymentMethod, activePaymentMethods, removePaymentMethod } from '../ledger/payment-methods.ts';
import { paymentMethodKindQuery } from '../ledger/schemas.ts';
import { type PortalContext, portalContext } from './context.ts';

const LIST = '/portal/payment-methods';

/**
 * *Payment Methods* in the portal (E10, E14) for a contact whose profile grants *manage_payment_methods*:
 * NEW, EDIT (everything re-entered) and Remove through the same ledger functions and page as staff, so
 * only a token, the brand, the last four digits and the expiry are ever stored or shown.
 */
export default async function portalPaymentMethodRoutes(
  app: FastifyInstance,
  { db, gateway }: { db: Db; gateway: PaymentGateway },
) {
  app.addHook('preHandler', requireContact('manage_payment_methods'));

  app.get(LIST, async (request, reply) => {
    const ctx = await portalContext(db, request);
    return reply.page('ledger/payment-methods/list', {
      title: 'Payment Methods',
      ...ctx,
      section: 'payment-methods',
      heading: 'Payment Methods',
      methods: await activePaymentMethods(db, ctx.customer.id),
    });
  });

  function renderForm(reply: FastifyReply, ctx: PortalContext, form: ReturnType<typeof paymentMethodFormData>) {
    const title = `${form.replacing ? 'Edit' : 'New'} payment method`;
    return reply.page('ledger/payment-methods/form', {
      title,
      ...ctx,
      section: 'payment-methods',
      listPath: LIST,
      ...form,
    });
  }

  app.get(`${LIST}/new`, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const kind = paymentMethodKindQuery.parse(request.query).kind ?? 'card';
    return renderForm(reply, ctx, paymentMethodFormData({ kind, country: 'US' }, {}, undefined));
  });

  app.get(`${LIST}/:methodId/edit`, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const method = await activePaymentMethod(db, ctx.customer.id, idParam(request, 'methodId', 'This payment method'));
    const values = editValues(method, paymentMethodKindQuery.parse(request.query).kind);
    return renderForm(reply, ctx, paymentMethodFormData(values, {}, method));
  });

  async function save(request: FastifyRequest, reply: FastifyReply, replacingId?: number) {
    const ctx = await portalContext(db, request);
    const input = { customerId: ctx.customer.id, body: request.body, replacingId };
    const saved = await submitPaymentMethod(db, gateway, input, actorOf(contactOf(request)));
    if (!saved.ok) return renderForm(reply.code(422), ctx, saved.form);
    request.flash('success', saved.message);
    return reply.seeOther(LIST);
  }

  app.post(LIST, (request, reply) => save(request, reply));
  app.post(`${LIST}/:methodId`, (request, reply) =>
    save(request, reply, idParam(request, 'methodId', 'This payment method')),
  );

  app.post(`${LIST}/:methodId/removal`, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const method = await activePaymentMethod(db, ctx.customer.id, idParam(request, 'methodId', 'This payment method'));
    if (asksForConfirmation(request.body))
      return reply.confirmation({ ...paymentMethodRemovalConfirmation(method, LIST), portal: true }, ctx);
    await removePaymentMethod(db, ctx.customer.id, method.id, actorOf(contactOf(request)));
    request.flash('success', `${method.friendly_name} was removed.`);
    return reply.seeOther(LIST);
  });
}
