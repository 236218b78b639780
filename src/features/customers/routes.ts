import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../db/index.ts';
import { parseForm, type FieldErrors } from '../../lib/forms.ts';
import { notFound } from '../../lib/http-error.ts';
import { requireRole } from '../../plugins/auth.ts';
import { StaleEditError, auditTrail } from '../audit/audit.ts';
import { customerExternalNumber } from '../external-numbers/external-numbers.ts';
import { saveCustomAccountId } from './customers.ts';
import { openDraftsFor } from './drafts.ts';
import newAccountRoutes from './new-account-routes.ts';
import { findCustomerFor, type CustomerRow } from './queries.ts';
import { additionalInformationForm, countries } from './schemas.ts';
import { MAX_TERM_LENGTH, searchCustomers } from './search.ts';
import { customerTabLinks, type CustomerTabKey } from './tabs.ts';

const countryNames = Object.fromEntries(countries);
const idParams = z.object({ id: z.coerce.number().int().positive() });
const listQuery = z.object({
  q: z.string().max(MAX_TERM_LENGTH * 2).catch('').default(''),
  page: z.coerce.number().int().positive().catch(1).default(1),
  open_invoices: z.enum(['on']).optional().catch(undefined),
});

export default async function customerRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireRole('admin', 'support', 'reseller'));
  await app.register(newAccountRoutes, { db });

  /** The customer in the URL if the user may see it; anything else is a 404 that does not confirm it exists. */
  async function customerIn(request: FastifyRequest): Promise<CustomerRow> {
    const params = idParams.safeParse(request.params);
    const customer = params.success ? await findCustomerFor(db, request.user!, params.data.id) : undefined;
    if (!customer) throw notFound('This customer');
    return customer;
  }

  /** Renders one tab of the customer's page: the header and tab bar come from the _customer layout. */
  async function customerTab(reply: FastifyReply, customer: CustomerRow, tab: CustomerTabKey, template: string, data: Record<string, unknown> = {}) {
    return reply.page(template, { title: customer.name, customer, resellerName: await resellerName(customer), tabs: customerTabLinks(customer.id, tab), ...data });
  }

  async function resellerName(customer: CustomerRow): Promise<string | undefined> {
    return (await db('resellers').where({ id: customer.reseller_id }).first('name'))?.name;
  }

  app.get('/customers', async (request, reply) => {
    const query = listQuery.parse(request.query);
    const search = await searchCustomers(db, request.user!, query.q, query.page, { openInvoicesOnly: query.open_invoices === 'on' });
    const data = { title: 'Customers', search, drafts: request.isHtmx ? [] : await openDraftsFor(db, request.user!) };
    return reply.pageOrFragment({ page: 'customers/index', fragment: 'customers/_results' }, data);
  });

  app.get('/customers/:id', async (request, reply) => {
    const customer = await customerIn(request);
    const [billTo, administrator, externalNumber] = await Promise.all([
      db('locations').where({ customer_id: customer.id, is_bill_to: true }).orderBy('id').first(),
      db('contacts').where({ customer_id: customer.id }).whereNotNull('login').orderBy('id').first('name', 'login', 'email'),
      customerExternalNumber(db, customer),
    ]);
    const data = { billTo, administrator, externalNumber, countryNames };
    return customerTab(reply, customer, 'customer-information', 'customers/customer-information', data);
  });

  async function additionalInformation(
    request: FastifyRequest,
    reply: FastifyReply,
    customer: CustomerRow,
    state: { form?: { values: { custom_account_id: string | null; version: number }; errors: FieldErrors; message?: string }; saved?: boolean } = {},
  ) {
    const { form, saved = false } = state;
    const history = (await auditTrail(db, 'customers', customer.id)).filter((e) => e.field === 'custom_account_id').slice(0, 10);
    const data = { customer, history, form, saved };
    if (request.isHtmx) {
      const fragment = form ? 'customers/_additional-information-form' : 'customers/_additional-information';
      return reply.page(fragment, { ...data, resellerName: saved ? await resellerName(customer) : undefined });
    }
    return customerTab(reply, customer, 'additional-information', 'customers/additional-information', data);
  }

  app.get('/customers/:id/additional-information', async (request, reply) => additionalInformation(request, reply, await customerIn(request)));

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
      const body = (request.body ?? {}) as Record<string, string>;
      const typed = { custom_account_id: body.custom_account_id ?? '', version: Number(body.version) || customer.version };
      const parsed = parseForm(additionalInformationForm, body);
      if (!parsed.ok) {
        reply.code(422);
        return additionalInformation(request, reply, customer, { form: { values: typed, errors: parsed.errors } });
      }
      try {
        const errors = await saveCustomAccountId(db, request.user!, customer, parsed.data);
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
      if (request.isHtmx) return additionalInformation(request, reply, (await findCustomerFor(db, request.user!, customer.id))!, { saved: true });
      request.flash('success', 'Customer Account ID saved.');
      return reply.seeOther(`/customers/${customer.id}/additional-information`);
    },
  });
}
