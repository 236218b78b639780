import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import { type CustomerRow, findCustomerFor } from '../../../auth/scope.ts';
import type { Db } from '../../../db/index.ts';
import { parseForm, submittedValues } from '../../../lib/forms.ts';
import { StaleEditError } from '../../audit/audit.ts';
import { customerStatuses } from '../../customers/schemas.ts';
import { customerExternalNumber } from '../../external-numbers/external-numbers.ts';
import { checkOrgChoice, orgPicker } from '../../institutions/picker.ts';
import { findOrg } from '../../institutions/queries.ts';
import { customerFromRequest, renderCustomerTab, type TabForm } from '../frame.ts';
import { portalAdministrator } from '../users/queries.ts';
import { changeCustomerStatus, updateCustomerInformation } from './customer-information.ts';
import { customerInformationForm, statusChangeForm } from './schemas.ts';

/** Refused stale edits show what is stored now, with the user's values still in the form. */
function staleMessage(error: unknown): string {
  if (!(error instanceof StaleEditError)) throw error;
  return error.message;
}

/** After a save, the effective external customer number and where it comes from (A5), while the integration is on. */
async function externalNumberNote(db: Db, customerId: number): Promise<string> {
  const customer = await db('customers').where({ id: customerId }).first('id', 'institution_id', 'group_id');
  const external = await customerExternalNumber(db, customer);
  if (!external) return '';
  const e = external.effective;
  return e
    ? ` External customer number ${e.number}, from ${e.source} ${e.sourceName}.`
    : ' No external customer number applies: neither its group nor its institution has one.';
}

/** *Customer Information*: the core fields (edited in place with htmx), and status changes with a reason. */
export default async function customerInformationRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));
  const customerIn = (request: FastifyRequest) => customerFromRequest(db, request);

  async function customerInformation(
    request: FastifyRequest,
    reply: FastifyReply,
    customer: CustomerRow,
    state: { form?: TabForm; statusForm?: TabForm } = {},
  ) {
    const picker = state.form ? await orgPicker(db, state.form.values) : null;
    if (request.isHtmx && state.form)
      return reply.page('customer-module/customer-information/_form', { customer, form: state.form, picker });
    const [administrator, externalNumber, institution, group] = await Promise.all([
      portalAdministrator(db, customer.id),
      customerExternalNumber(db, customer),
      customer.institution_id ? findOrg(db, 'institution', customer.institution_id) : undefined,
      customer.group_id ? findOrg(db, 'group', customer.group_id) : undefined,
    ]);
    const statusForm = state.statusForm ?? {
      values: { status: customer.status, reason: '', version: customer.version },
      errors: {},
    };
    const orgs = { institution, group };
    const data = {
      administrator,
      externalNumber,
      orgs,
      form: state.form,
      picker,
      statusForm,
      statuses: customerStatuses,
    };
    return renderCustomerTab(
      db,
      reply,
      customer,
      'customer-information',
      'customer-module/customer-information/index',
      data,
    );
  }

  app.get('/customers/:id', async (request, reply) => customerInformation(request, reply, await customerIn(request)));

  app.get('/customers/:id/edit', async (request, reply) => {
    const customer = await customerIn(request);
    return customerInformation(request, reply, customer, { form: { values: customer, errors: {} } });
  });

  app.route({
    method: ['PUT', 'POST'],
    url: '/customers/:id',
    handler: async (request, reply) => {
      const customer = await customerIn(request);
      const body = submittedValues(request.body);
      // Search in the institution and group picker without JavaScript: the form again, its lists narrowed.
      if (body.action === 'find')
        return customerInformation(request, reply, customer, { form: { values: body, errors: {} } });
      const parsed = parseForm(customerInformationForm, body);
      const errors = parsed.ok
        ? await checkOrgChoice(db, {
            institution_id:
              parsed.data.institution_id === undefined ? customer.institution_id : parsed.data.institution_id,
            group_id: parsed.data.group_id === undefined ? customer.group_id : parsed.data.group_id,
          })
        : parsed.errors;
      if (!parsed.ok || errors)
        return customerInformation(request, reply.code(422), customer, {
          form: { values: body, errors: errors ?? {} },
        });
      try {
        await updateCustomerInformation(db, staffOf(request), customer, parsed.data);
      } catch (error) {
        const current = (await findCustomerFor(db, staffOf(request), customer.id))!;
        return customerInformation(request, reply.code(409), current, {
          form: { values: { ...body, version: current.version }, errors: {}, message: staleMessage(error) },
        });
      }
      request.flash('success', `Customer information saved.${await externalNumberNote(db, customer.id)}`);
      return reply.seeOther(`/customers/${customer.id}`);
    },
  });

  app.post('/customers/:id/status', async (request, reply) => {
    const customer = await customerIn(request);
    const body = submittedValues(request.body);
    const parsed = parseForm(statusChangeForm, body);
    if (!parsed.ok)
      return customerInformation(request, reply.code(422), customer, {
        statusForm: { values: body, errors: parsed.errors },
      });
    if (parsed.data.status === customer.status) {
      return customerInformation(request, reply.code(422), customer, {
        statusForm: { values: body, errors: { status: `The status is already ${customer.status}. Choose another.` } },
      });
    }
    try {
      await changeCustomerStatus(db, staffOf(request), customer, parsed.data);
    } catch (error) {
      const current = (await findCustomerFor(db, staffOf(request), customer.id))!;
      return customerInformation(request, reply.code(409), current, {
        statusForm: { values: { ...body, version: current.version }, errors: {}, message: staleMessage(error) },
      });
    }
    request.flash('success', `Status changed to ${parsed.data.status}.`);
    return reply.seeOther(`/customers/${customer.id}`);
  });
}
