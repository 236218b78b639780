import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import type { CustomerRow } from '../../../auth/scope.ts';
import type { Db } from '../../../db/index.ts';
import { asksForConfirmation, parseForm, submittedValues } from '../../../lib/forms.ts';
import { customerConfirmation } from '../confirmation.ts';
import { customerFromRequest, emptyForm, renderCustomerTab, rowIdFrom, type TabForm } from '../frame.ts';
import { locationChoices } from '../locations/queries.ts';
import { addFacility, removeFacility } from './facilities.ts';
import { customerFacilities } from './queries.ts';
import { facilityForm, facilityKinds } from './schemas.ts';

/** *Facilities*: add one (at one of the customer's locations, or none), remove one. */
export default async function facilityRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));
  const customerIn = (request: FastifyRequest) => customerFromRequest(db, request);

  async function facilities(reply: FastifyReply, customer: CustomerRow, form: TabForm = emptyForm()) {
    const [rows, locations] = await Promise.all([
      customerFacilities(db, customer.id),
      locationChoices(db, customer.id),
    ]);
    return renderCustomerTab(db, reply, customer, 'facilities', 'customer-module/facilities/index', {
      facilities: rows,
      locations,
      kinds: facilityKinds,
      form,
    });
  }

  app.get('/customers/:id/facilities', async (request, reply) => facilities(reply, await customerIn(request)));

  app.post('/customers/:id/facilities', async (request, reply) => {
    const customer = await customerIn(request);
    const parsed = parseForm(facilityForm, submittedValues(request.body));
    const errors = parsed.ok ? await addFacility(db, staffOf(request), customer.id, parsed.data) : parsed.errors;
    if (errors) return facilities(reply.code(422), customer, { values: submittedValues(request.body), errors });
    request.flash('success', 'Facility added.');
    return reply.seeOther(`/customers/${customer.id}/facilities`);
  });

  app.post('/customers/:id/facilities/:rowId/delete', async (request, reply) => {
    const customer = await customerIn(request);
    if (asksForConfirmation(request.body))
      return reply.confirmation(
        customerConfirmation(customer.id, 'facilities', rowIdFrom(request, 'This record'), {
          verb: 'Remove',
          noun: 'facility',
          action: 'delete',
        }),
      );
    await removeFacility(db, staffOf(request), customer.id, rowIdFrom(request, 'This record'));
    request.flash('success', 'Facility removed.');
    return reply.seeOther(`/customers/${customer.id}/facilities`);
  });
}
