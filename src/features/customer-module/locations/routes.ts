import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import type { CustomerRow } from '../../../auth/scope.ts';
import type { Db } from '../../../db/index.ts';
import { asksForConfirmation, parseForm, submittedValues } from '../../../lib/forms.ts';
import { StaleEditError } from '../../audit/audit.ts';
import { countries } from '../../customers/schemas.ts';
import { customerConfirmation } from '../confirmation.ts';
import { customerFromRequest, emptyForm, renderCustomerTab, rowIdFrom, type TabForm } from '../frame.ts';
import { ownedRow } from '../queries.ts';
import { addLocation, removeLocation, updateLocation } from './locations.ts';
import { customerLocations } from './queries.ts';
import { locationForm } from './schemas.ts';

type Location = Record<string, unknown> & { id: number; version: number };

/** *Locations*: add, edit, remove; exactly one Bill To. */
export default async function locationRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));
  const customerIn = (request: FastifyRequest) => customerFromRequest(db, request);
  const locationIn = (request: FastifyRequest, customer: CustomerRow) =>
    ownedRow<Location>(db, 'locations', customer.id, rowIdFrom(request, 'This record'), 'This location');

  async function locations(reply: FastifyReply, customer: CustomerRow, form: TabForm = emptyForm({ country: 'US' })) {
    return renderCustomerTab(db, reply, customer, 'locations', 'customer-module/locations/index', {
      locations: await customerLocations(db, customer.id),
      form,
      countries,
    });
  }

  app.get('/customers/:id/locations', async (request, reply) => locations(reply, await customerIn(request)));

  app.post('/customers/:id/locations', async (request, reply) => {
    const customer = await customerIn(request);
    const parsed = parseForm(locationForm, submittedValues(request.body));
    if (!parsed.ok)
      return locations(reply.code(422), customer, { values: submittedValues(request.body), errors: parsed.errors });
    await addLocation(db, staffOf(request), customer.id, parsed.data);
    request.flash('success', 'Location added.');
    return reply.seeOther(`/customers/${customer.id}/locations`);
  });

  async function editLocation(reply: FastifyReply, customer: CustomerRow, location: Location, form: TabForm) {
    return renderCustomerTab(db, reply, customer, 'locations', 'customer-module/locations/edit', {
      location,
      form,
      countries,
    });
  }

  app.get('/customers/:id/locations/:rowId/edit', async (request, reply) => {
    const customer = await customerIn(request);
    const location = await locationIn(request, customer);
    return editLocation(reply, customer, location, emptyForm(location));
  });

  app.post('/customers/:id/locations/:rowId', async (request, reply) => {
    const customer = await customerIn(request);
    const location = await locationIn(request, customer);
    const body = submittedValues(request.body);
    const parsed = parseForm(locationForm, body);
    if (!parsed.ok) return editLocation(reply.code(422), customer, location, { values: body, errors: parsed.errors });
    try {
      const errors = await updateLocation(db, staffOf(request), customer.id, location.id, {
        ...parsed.data,
        version: Number(body.version) || location.version,
      });
      if (errors) return editLocation(reply.code(422), customer, location, { values: body, errors });
    } catch (error) {
      if (!(error instanceof StaleEditError)) throw error;
      const current = error.current as Location;
      return editLocation(reply.code(409), customer, current, {
        values: { ...body, version: current.version },
        errors: {},
        message: error.message,
      });
    }
    request.flash('success', 'Location saved.');
    return reply.seeOther(`/customers/${customer.id}/locations`);
  });

  app.post('/customers/:id/locations/:rowId/delete', async (request, reply) => {
    const customer = await customerIn(request);
    if (asksForConfirmation(request.body))
      return reply.confirmation(
        customerConfirmation(customer.id, 'locations', rowIdFrom(request, 'This record'), {
          verb: 'Remove',
          noun: 'location',
          action: 'delete',
        }),
      );
    await removeLocation(db, staffOf(request), customer.id, rowIdFrom(request, 'This record'));
    request.flash('success', 'Location removed.');
    return reply.seeOther(`/customers/${customer.id}/locations`);
  });
}
