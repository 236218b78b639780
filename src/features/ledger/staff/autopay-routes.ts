import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import { actorOf } from '../../../auth/principal.ts';
import type { Db } from '../../../db/index.ts';
import { notFound } from '../../../lib/http-error.ts';
import { reorderConfigurations, setConfigurationFlag } from '../autopay/configurations.ts';
import {
  autopayWords,
  editForm,
  type FormOutcome,
  orderChange,
  parsedOr400,
  rowsOf,
  submitConfigurationForm,
} from '../autopay/form.ts';
import { autopayOverview } from '../autopay/overview.ts';
import { configurationOf } from '../autopay/queries.ts';
import { dryRunQuery, toggleForm } from '../autopay/schemas.ts';
import { type BillingContext, billingContext, idParam } from './context.ts';

/**
 * The *Automatic Payments* sub-tab of Billing Information (E12): the customer's Autopay configurations in
 * precedence order with the dry run of a cycle (F2), *New* and edit, reorder, *Lock* and *DISABLE*.
 */
export default async function autopayRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  /** Where the shared Autopay partials link: this page, and the cards a configuration may use. */
  const paths = (ctx: BillingContext) => ({
    autopayPath: `${ctx.base}/automatic-payments`,
    methodsPath: `${ctx.base}/credit-cards`,
    methodsLabel: 'Credit Cards',
  });

  async function listPage(ctx: BillingContext, request: FastifyRequest, reply: FastifyReply) {
    const { date } = dryRunQuery.parse(request.query);
    const overview = await autopayOverview(db, ctx.customer.id, ctx.today, date ?? ctx.today);
    const data = {
      title: `Automatic Payments · ${ctx.customer.name}`,
      ...ctx,
      section: 'automatic-payments',
      ...overview,
      ...autopayWords,
      ...paths(ctx),
      lockable: true,
    };
    return reply.pageOrFragment({ page: 'ledger/autopay/index', fragment: 'ledger/autopay/_autopay' }, data);
  }

  /** After a change to the list: htmx gets the list and dry run afresh, a plain form a 303 back to the page. */
  function afterListChange(ctx: BillingContext, request: FastifyRequest, reply: FastifyReply) {
    return request.isHtmx ? listPage(ctx, request, reply) : reply.seeOther(`${ctx.base}/automatic-payments`);
  }

  async function formPage(
    ctx: BillingContext,
    reply: FastifyReply,
    form: Omit<Extract<FormOutcome, { saved: false }>, 'saved' | 'status'> & { id?: number },
  ) {
    const overview = await autopayOverview(db, ctx.customer.id, ctx.today);
    return reply.pageOrFragment(
      { page: 'ledger/autopay/form', fragment: 'ledger/autopay/_form' },
      {
        title: `${form.id ? 'Edit' : 'New'} Autopay configuration · ${ctx.customer.name}`,
        ...ctx,
        section: 'automatic-payments',
        methods: overview.methods,
        lineItems: overview.lineItems,
        action: `${ctx.base}/automatic-payments${form.id ? `/${form.id}` : ''}`,
        ...form,
        ...autopayWords,
        ...paths(ctx),
      },
    );
  }

  async function submitForm(request: FastifyRequest, reply: FastifyReply, id?: number) {
    const ctx = await billingContext(db, request);
    const outcome = await submitConfigurationForm(
      db,
      { customerId: ctx.customer.id, id, body: request.body },
      actorOf(staffOf(request)),
    );
    if (!outcome.saved) return formPage(ctx, reply.code(outcome.status), { id, ...outcome });
    request.flash('success', outcome.message);
    return reply.seeOther(`${ctx.base}/automatic-payments`);
  }

  app.get('/customers/:id/billing/automatic-payments', async (request, reply) =>
    listPage(await billingContext(db, request), request, reply),
  );

  app.get('/customers/:id/billing/automatic-payments/new', async (request, reply) => {
    const ctx = await billingContext(db, request);
    return formPage(ctx, reply, { rows: rowsOf({}), values: {}, errors: {} });
  });

  app.post('/customers/:id/billing/automatic-payments', (request, reply) => submitForm(request, reply));

  app.get('/customers/:id/billing/automatic-payments/:configurationId/edit', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const id = idParam(request, 'configurationId', 'This Autopay configuration');
    const configuration = await configurationOf(db, ctx.customer.id, id);
    if (!configuration) throw notFound('This Autopay configuration');
    return formPage(ctx, reply, { id, ...editForm(configuration) });
  });

  app.post('/customers/:id/billing/automatic-payments/:configurationId', (request, reply) =>
    submitForm(request, reply, idParam(request, 'configurationId', 'This Autopay configuration')),
  );

  app.post('/customers/:id/billing/automatic-payments/order', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const change = orderChange(request.body);
    await reorderConfigurations(db, ctx.customer.id, change, actorOf(staffOf(request)));
    return afterListChange(ctx, request, reply);
  });

  for (const [path, flag] of [
    ['lock', 'locked'],
    ['disable', 'disabled'],
  ] as const) {
    app.post(`/customers/:id/billing/automatic-payments/:configurationId/${path}`, async (request, reply) => {
      const ctx = await billingContext(db, request);
      const id = idParam(request, 'configurationId', 'This Autopay configuration');
      const { on } = parsedOr400(toggleForm.safeParse(request.body));
      await setConfigurationFlag(db, ctx.customer.id, id, flag, on, actorOf(staffOf(request)));
      return afterListChange(ctx, request, reply);
    });
  }
}
