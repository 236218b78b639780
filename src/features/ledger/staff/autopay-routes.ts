import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import { actorOf } from '../../../auth/principal.ts';
import type { Db } from '../../../db/index.ts';
import { type FieldErrors, parseForm, submittedValues } from '../../../lib/forms.ts';
import { HttpError, notFound } from '../../../lib/http-error.ts';
import {
  ConfigurationInvalid,
  createConfiguration,
  reorderConfigurations,
  setConfigurationFlag,
  updateConfiguration,
} from '../autopay/configurations.ts';
import { operatorLabels, operatorsFor, skipReasonTexts, triggerLabels, triggers } from '../autopay/engine.ts';
import { autopayOverview } from '../autopay/overview.ts';
import { configurationOf } from '../autopay/queries.ts';
import {
  type ConfigurationForm,
  conditionsOfForm,
  configurationForm,
  dryRunQuery,
  formIntent,
  MAX_ROWS,
  orderForm,
  toggleForm,
} from '../autopay/schemas.ts';
import { type BillingContext, billingContext, idParam } from './context.ts';

/** What the templates need to name triggers and operators and to say why a skip happened. */
const words = { triggers, triggerLabels, operatorLabels, operatorsFor, skipReasonTexts, maxRows: MAX_ROWS };

/** A list action's form, or 400: only a tampered or stale page sends anything else. */
function parsedOr400<T>(result: { success: true; data: T } | { success: false }): T {
  if (!result.success) throw new HttpError(400, 'That request could not be understood. Reload the page and try again.');
  return result.data;
}

type FormRow = { trigger: string; operator: string; value: string };

/** The rows as typed, for showing the form again: one entry per row, however the fields arrived. */
function rowsOf(body: Record<string, unknown>): FormRow[] {
  const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
  const [t, o, v] = [list(body.trigger), list(body.operator), list(body.value)];
  const count = Math.max(1, t.length, o.length, v.length);
  return Array.from({ length: count }, (_, i) => ({ trigger: t[i] ?? '', operator: o[i] ?? '', value: v[i] ?? '' }));
}

/**
 * The *Automatic Payments* sub-tab of Billing Information (E12): the customer's Autopay configurations in
 * precedence order with the dry run of a cycle (F2), *New* and edit, reorder, *Lock* and *DISABLE*.
 */
export default async function autopayRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  async function listPage(ctx: BillingContext, request: FastifyRequest, reply: FastifyReply) {
    const { date } = dryRunQuery.parse(request.query);
    const overview = await autopayOverview(db, ctx.customer.id, ctx.today, date ?? ctx.today);
    const data = {
      title: `Automatic Payments · ${ctx.customer.name}`,
      ...ctx,
      section: 'automatic-payments',
      ...overview,
      ...words,
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
    form: { id?: number; rows: FormRow[]; values: Record<string, unknown>; errors: FieldErrors; focusRow?: number },
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
        ...words,
      },
    );
  }

  /** Save, or add or remove a row (no saving: the form comes back with the rows changed). */
  async function submitForm(request: FastifyRequest, reply: FastifyReply, id?: number) {
    const ctx = await billingContext(db, request);
    const body = submittedValues(request.body);
    const rows = rowsOf(body);
    const { intent } = formIntent.parse(body);
    if (intent === 'add_row' && rows.length < MAX_ROWS) rows.push({ trigger: '', operator: '', value: '' });
    if (intent.startsWith('remove_row:') && rows.length > 1) rows.splice(Number(intent.slice(11)), 1);
    // The new row's trigger takes the focus, so the keyboard user carries on where the row appeared.
    const focusRow = intent === 'add_row' ? rows.length - 1 : undefined;
    if (intent !== 'save') return formPage(ctx, reply, { id, rows, values: body, errors: {}, focusRow });
    const form = parseForm(configurationForm, body);
    if (!form.ok) return formPage(ctx, reply.code(422), { id, rows, values: body, errors: form.errors });
    try {
      await saveConfiguration(ctx, form.data, request, id);
    } catch (error) {
      if (!(error instanceof ConfigurationInvalid)) throw error;
      return formPage(ctx, reply.code(422), { id, rows, values: body, errors: error.errors });
    }
    request.flash(
      'success',
      id ? 'Autopay configuration saved.' : 'Autopay configuration added at the bottom of the list.',
    );
    return reply.seeOther(`${ctx.base}/automatic-payments`);
  }

  function saveConfiguration(ctx: BillingContext, data: ConfigurationForm, request: FastifyRequest, id?: number) {
    const input = {
      paymentMethodId: data.payment_method_id,
      conditions: conditionsOfForm(data),
      version: data.version,
    };
    const actor = actorOf(staffOf(request));
    return id
      ? updateConfiguration(db, ctx.customer.id, id, input, actor)
      : createConfiguration(db, ctx.customer.id, input, actor);
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
    const rows = configuration.conditions.map((c) => ({
      trigger: c.trigger,
      operator: c.operator,
      value: c.values.join(', '),
    }));
    const values = { payment_method_id: configuration.method.id, version: configuration.version };
    return formPage(ctx, reply, { id, rows, values, errors: {} });
  });

  app.post('/customers/:id/billing/automatic-payments/:configurationId', (request, reply) =>
    submitForm(request, reply, idParam(request, 'configurationId', 'This Autopay configuration')),
  );

  app.post('/customers/:id/billing/automatic-payments/order', async (request, reply) => {
    const ctx = await billingContext(db, request);
    const form = parsedOr400(orderForm.safeParse(request.body));
    const change =
      'move' in form
        ? {
            move: {
              id: Number(form.move.split(':')[0]),
              direction: form.move.endsWith('up') ? ('up' as const) : ('down' as const),
            },
          }
        : { order: form.order };
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
