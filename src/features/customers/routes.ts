import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { type CustomerRow, findCustomerFor } from '../../auth/scope.ts';
import type { Db } from '../../db/index.ts';
import { type FieldErrors, parseForm, submittedValues } from '../../lib/forms.ts';
import { auditTrail, StaleEditError } from '../audit/audit.ts';
import { customerFromRequest, renderCustomerTab } from '../customer-module/frame.ts';
import { landingTabPath } from '../customer-module/tabs.ts';
import { customerExternalNumber } from '../external-numbers/external-numbers.ts';
import { recentlyViewed } from './access.ts';
import { saveCustomAccountId } from './customers.ts';
import { openDraftsFor } from './drafts.ts';
import { customerInventory, inventoryQuery } from './inventory.ts';
import moduleTabRoutes from './module-routes.ts';
import newAccountRoutes from './new-account-routes.ts';
import { changeCustomerStatus, updateCustomerInformation } from './records.ts';
import { additionalInformationForm, customerInformationForm, customerStatuses, statusChangeForm } from './schemas.ts';
import { MAX_TERM_LENGTH, searchCustomers } from './search.ts';

const listQuery = z.object({
  q: z
    .string()
    .max(MAX_TERM_LENGTH * 2)
    .catch('')
    .default(''),
  page: z.coerce.number().int().positive().catch(1).default(1),
  open_invoices: z.enum(['on']).optional().catch(undefined),
});

type FormState = { values: Record<string, unknown>; errors: FieldErrors; message?: string };

export default async function customerRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));
  await app.register(newAccountRoutes, { db });
  await app.register(moduleTabRoutes, { db });

  const customerIn = (request: FastifyRequest) => customerFromRequest(db, request);

  /* Reaching a customer (D1): Search, Inventory, Recently Viewed. */

  app.get('/customers', async (request, reply) => {
    const query = listQuery.parse(request.query);
    const search = await searchCustomers(db, staffOf(request), query.q, query.page, {
      openInvoicesOnly: query.open_invoices === 'on',
    });
    const data = {
      title: 'Customers',
      search,
      drafts: request.isHtmx ? [] : await openDraftsFor(db, staffOf(request)),
    };
    return reply.pageOrFragment({ page: 'customers/index', fragment: 'customers/_results' }, data);
  });

  app.get('/customers/inventory', async (request, reply) => {
    const filters = inventoryQuery.parse(request.query);
    const inventory = await customerInventory(db, staffOf(request), filters);
    return reply.pageOrFragment(
      { page: 'customers/inventory', fragment: 'customers/_inventory-results' },
      { title: 'Inventory', filters, inventory, statuses: customerStatuses },
    );
  });

  app.get('/customers/recent', async (request, reply) => {
    return reply.page('customers/recent', {
      title: 'Recently Viewed',
      customers: await recentlyViewed(db, staffOf(request)),
    });
  });

  /** Opening a customer lands on the tab the user chose in *My settings* (D3). */
  app.get('/customers/:id/open', async (request, reply) => {
    const customer = await customerIn(request);
    return reply.redirect(landingTabPath(customer.id, staffOf(request).landingTab), 303);
  });

  /* Customer Information: the core fields, and status changes with a reason. */

  async function customerInformation(
    request: FastifyRequest,
    reply: FastifyReply,
    customer: CustomerRow,
    state: { form?: FormState; statusForm?: FormState } = {},
  ) {
    if (request.isHtmx && state.form)
      return reply.page('customers/_customer-information-form', { customer, form: state.form });
    const [billTo, administrator, externalNumber] = await Promise.all([
      db('locations').where({ customer_id: customer.id, is_bill_to: true }).orderBy('id').first(),
      db('contacts')
        .where({ customer_id: customer.id })
        .whereNotNull('login')
        .orderBy('id')
        .first('name', 'login', 'email'),
      customerExternalNumber(db, customer),
    ]);
    const statusForm = state.statusForm ?? {
      values: { status: customer.status, reason: '', version: customer.version },
      errors: {},
    };
    const data = { billTo, administrator, externalNumber, form: state.form, statusForm, statuses: customerStatuses };
    return renderCustomerTab(db, reply, customer, 'customer-information', 'customers/customer-information', data);
  }

  app.get('/customers/:id', async (request, reply) => customerInformation(request, reply, await customerIn(request)));

  app.get('/customers/:id/edit', async (request, reply) => {
    const customer = await customerIn(request);
    return customerInformation(request, reply, customer, { form: { values: customer, errors: {} } });
  });

  /** Refused stale edits show what is stored now, with the user's values still in the form. */
  function staleMessage(error: unknown): string {
    if (!(error instanceof StaleEditError)) throw error;
    return error.message;
  }

  app.route({
    method: ['PUT', 'POST'],
    url: '/customers/:id',
    handler: async (request, reply) => {
      const customer = await customerIn(request);
      const body = submittedValues(request.body);
      const parsed = parseForm(customerInformationForm, body);
      if (!parsed.ok)
        return customerInformation(request, reply.code(422), customer, {
          form: { values: body, errors: parsed.errors },
        });
      try {
        await updateCustomerInformation(db, staffOf(request), customer, parsed.data);
      } catch (error) {
        const current = (await findCustomerFor(db, staffOf(request), customer.id))!;
        return customerInformation(request, reply.code(409), current, {
          form: { values: { ...body, version: current.version }, errors: {}, message: staleMessage(error) },
        });
      }
      request.flash('success', 'Customer information saved.');
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

  /* Additional Information (B3). */

  async function additionalInformation(
    request: FastifyRequest,
    reply: FastifyReply,
    customer: CustomerRow,
    state: {
      form?: { values: { custom_account_id: string | null; version: number }; errors: FieldErrors; message?: string };
      saved?: boolean;
    } = {},
  ) {
    const { form, saved = false } = state;
    const history = (await auditTrail(db, 'customers', customer.id))
      .filter((e) => e.field === 'custom_account_id')
      .slice(0, 10);
    const data = { customer, history, form, saved };
    if (request.isHtmx) {
      const fragment = form ? 'customers/_additional-information-form' : 'customers/_additional-information';
      const resellerName = saved
        ? (await db('resellers').where({ id: customer.reseller_id }).first('name'))?.name
        : undefined;
      return reply.page(fragment, { ...data, resellerName });
    }
    return renderCustomerTab(db, reply, customer, 'additional-information', 'customers/additional-information', data);
  }

  app.get('/customers/:id/additional-information', async (request, reply) =>
    additionalInformation(request, reply, await customerIn(request)),
  );

  app.get('/customers/:id/additional-information/edit', async (request, reply) => {
    const customer = await customerIn(request);
    return additionalInformation(request, reply, customer, { form: { values: customer, errors: {} } });
  });

  // PUT from htmx, POST from the plain form: the same *Save*.
  app.route({
    method: ['PUT', 'POST'],
    url: '/customers/:id/additional-information',
    handler: async (request, reply) => {
      const customer = await customerIn(request);
      const body = submittedValues(request.body);
      const typed = {
        custom_account_id: body.custom_account_id ?? '',
        version: Number(body.version) || customer.version,
      };
      const parsed = parseForm(additionalInformationForm, body);
      if (!parsed.ok) {
        reply.code(422);
        return additionalInformation(request, reply, customer, { form: { values: typed, errors: parsed.errors } });
      }
      try {
        const errors = await saveCustomAccountId(db, staffOf(request), customer, parsed.data);
        if (errors) {
          reply.code(422);
          return additionalInformation(request, reply, customer, { form: { values: typed, errors } });
        }
      } catch (error) {
        if (!(error instanceof StaleEditError)) throw error;
        // Show what is stored now, with the user's text still in the field to re-apply deliberately.
        const current = error.current as CustomerRow;
        reply.code(409);
        return additionalInformation(request, reply, current, {
          form: {
            values: { custom_account_id: typed.custom_account_id, version: current.version },
            errors: {},
            message: `${error.message} The Customer Account ID is now “${current.custom_account_id ?? 'not set'}”.`,
          },
        });
      }
      if (request.isHtmx)
        return additionalInformation(request, reply, (await findCustomerFor(db, staffOf(request), customer.id))!, {
          saved: true,
        });
      request.flash('success', 'Customer Account ID saved.');
      return reply.seeOther(`/customers/${customer.id}/additional-information`);
    },
  });
}
