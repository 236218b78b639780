import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { contactOf, requireContact } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import { notFound } from '../../lib/http-error.ts';
import { idParam } from '../../lib/params.ts';
import { ConfigurationLocked, reorderConfigurations, setConfigurationFlag } from '../ledger/autopay/configurations.ts';
import {
  autopayWords,
  editForm,
  type FormOutcome,
  orderChange,
  parsedOr400,
  rowsOf,
  submitConfigurationForm,
} from '../ledger/autopay/form.ts';
import { autopayOverview } from '../ledger/autopay/overview.ts';
import { configurationOf } from '../ledger/autopay/queries.ts';
import { dryRunQuery, toggleForm } from '../ledger/autopay/schemas.ts';
import { type PortalContext, portalContext } from './context.ts';

const PAGE = '/portal/autopay';
/** Where the shared Autopay partials link in the portal; no *Lock* here (staff only). */
const paths = {
  autopayPath: PAGE,
  methodsPath: '/portal/payment-methods',
  methodsLabel: 'Payment Methods',
  lockable: false,
};

/**
 * *Autopay* in the portal (E12, E14) for a contact whose profile grants *manage_autopay*: the customer's
 * configurations in precedence order from the same reads as the staff page, with *New*, edit, reorder and
 * *DISABLE* through the same writes, audited as the contact. A locked configuration is read-only: the
 * page shows it greyed without controls and the ledger refuses a change to it.
 */
export default async function portalAutopayRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireContact('manage_autopay'));
  const actor = (request: FastifyRequest) => actorOf(contactOf(request));

  async function listPage(ctx: PortalContext, request: FastifyRequest, reply: FastifyReply) {
    const { date } = dryRunQuery.parse(request.query);
    const overview = await autopayOverview(db, ctx.customer.id, ctx.today, date ?? ctx.today);
    const data = { title: 'Autopay', ...ctx, section: 'autopay', ...overview, ...autopayWords, ...paths };
    return reply.pageOrFragment({ page: 'ledger/autopay/index', fragment: 'ledger/autopay/_autopay' }, data);
  }

  async function formPage(
    ctx: PortalContext,
    reply: FastifyReply,
    form: Omit<Extract<FormOutcome, { saved: false }>, 'saved' | 'status'> & { id?: number },
  ) {
    const { methods, lineItems } = await autopayOverview(db, ctx.customer.id, ctx.today);
    return reply.pageOrFragment(
      { page: 'ledger/autopay/form', fragment: 'ledger/autopay/_form' },
      {
        title: `${form.id ? 'Edit' : 'New'} Autopay configuration`,
        ...ctx,
        section: 'autopay',
        methods,
        lineItems,
        action: form.id ? `${PAGE}/${form.id}` : PAGE,
        ...form,
        ...autopayWords,
        ...paths,
      },
    );
  }

  async function submitForm(request: FastifyRequest, reply: FastifyReply, id?: number) {
    const ctx = await portalContext(db, request);
    const outcome = await submitConfigurationForm(
      db,
      { customerId: ctx.customer.id, id, body: request.body, editor: 'contact' },
      actor(request),
    );
    if (!outcome.saved) return formPage(ctx, reply.code(outcome.status), { id, ...outcome });
    request.flash('success', outcome.message);
    return reply.seeOther(PAGE);
  }

  /** After a change to the list: htmx gets the list afresh, a plain form a 303 back to the page. */
  async function afterListChange(ctx: PortalContext, request: FastifyRequest, reply: FastifyReply) {
    return request.isHtmx ? listPage(ctx, request, reply) : reply.seeOther(PAGE);
  }

  app.get(PAGE, async (request, reply) => listPage(await portalContext(db, request), request, reply));

  app.get(`${PAGE}/new`, async (request, reply) =>
    formPage(await portalContext(db, request), reply, { rows: rowsOf({}), values: {}, errors: {} }),
  );

  app.post(PAGE, (request, reply) => submitForm(request, reply));

  app.get(`${PAGE}/:configurationId/edit`, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const id = idParam(request, 'configurationId', 'This Autopay configuration');
    const configuration = await configurationOf(db, ctx.customer.id, id);
    if (!configuration) throw notFound('This Autopay configuration');
    if (configuration.locked) throw new ConfigurationLocked();
    return formPage(ctx, reply, { id, ...editForm(configuration) });
  });

  app.post(`${PAGE}/:configurationId`, (request, reply) =>
    submitForm(request, reply, idParam(request, 'configurationId', 'This Autopay configuration')),
  );

  app.post(`${PAGE}/order`, async (request, reply) => {
    const ctx = await portalContext(db, request);
    await reorderConfigurations(db, ctx.customer.id, orderChange(request.body), actor(request), 'contact');
    return afterListChange(ctx, request, reply);
  });

  app.post(`${PAGE}/:configurationId/disable`, async (request, reply) => {
    const ctx = await portalContext(db, request);
    const id = idParam(request, 'configurationId', 'This Autopay configuration');
    const { on } = parsedOr400(toggleForm.safeParse(request.body));
    await setConfigurationFlag(db, ctx.customer.id, id, 'disabled', on, actor(request), 'contact');
    return afterListChange(ctx, request, reply);
  });
}
