import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import { type CustomerRow, findCustomerFor } from '../../../auth/scope.ts';
import type { Db } from '../../../db/index.ts';
import { type FieldErrors, parseForm, submittedValues } from '../../../lib/forms.ts';
import { StaleEditError } from '../../audit/audit.ts';
import { saveCustomAccountId } from '../../customers/customers.ts';
import { resellerName } from '../../customers/queries.ts';
import { customerFromRequest, renderCustomerTab } from '../frame.ts';
import { customAccountIdHistory } from './queries.ts';
import { additionalInformationForm } from './schemas.ts';

type CustomAccountIdForm = {
  values: { custom_account_id: string | null; version: number };
  errors: FieldErrors;
  message?: string;
};

/** *Additional Information* (B3): the Custom Account ID, edited in place with htmx, with its history. */
export default async function additionalInformationRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));
  const customerIn = (request: FastifyRequest) => customerFromRequest(db, request);

  async function additionalInformation(
    request: FastifyRequest,
    reply: FastifyReply,
    customer: CustomerRow,
    state: { form?: CustomAccountIdForm; saved?: boolean } = {},
  ) {
    const { form, saved = false } = state;
    const data = { customer, history: await customAccountIdHistory(db, customer.id), form, saved };
    if (request.isHtmx) {
      const fragment = form
        ? 'customer-module/additional-information/_form'
        : 'customer-module/additional-information/_details';
      // A save sends the header's key facts again (out of band), which name the reseller.
      const reseller = saved ? await resellerName(db, customer.reseller_id) : undefined;
      // After an inline save or discard, focus returns to Edit (htmx focuses an autofocus element it swaps in).
      return reply.page(fragment, { ...data, resellerName: reseller, focusEdit: !form });
    }
    return renderCustomerTab(
      db,
      reply,
      customer,
      'additional-information',
      'customer-module/additional-information/index',
      data,
    );
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
