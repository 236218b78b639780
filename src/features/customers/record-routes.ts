import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { staffOf } from '../../auth/guards.ts';
import type { CustomerRow } from '../../auth/scope.ts';
import type { Db } from '../../db/index.ts';
import { type FieldErrors, parseForm, submittedValues } from '../../lib/forms.ts';
import { notFound } from '../../lib/http-error.ts';
import { StaleEditError } from '../audit/audit.ts';
import { customerFromRequest, renderCustomerTab, rowIdFrom } from '../customer-module/frame.ts';
import {
  addFacility,
  addLocation,
  clearAlert,
  linkChildAccount,
  ownedRow,
  removeFacility,
  removeLocation,
  setAlert,
  unlinkChildAccount,
  updateLocation,
} from './records.ts';
import { alertForm, countries, facilityForm, facilityKinds, linkAccountForm, locationForm } from './schemas.ts';

type Form = { values: Record<string, unknown>; errors: FieldErrors; message?: string };
const emptyForm = (values: Record<string, unknown> = {}): Form => ({ values, errors: {} });
const rowIdOf = (request: FastifyRequest) => rowIdFrom(request, 'This record');

/** Locations, Linked Accounts, Facilities and Alerts: lists with an add form, each change audited in records.ts. */
export default async function recordRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const customerIn = (request: FastifyRequest) => customerFromRequest(db, request);

  /* Locations: add, edit, remove; exactly one Bill To. */

  async function locations(reply: FastifyReply, customer: CustomerRow, form: Form = emptyForm({ country: 'US' })) {
    const rows = await db('locations')
      .where({ customer_id: customer.id })
      .orderBy([{ column: 'is_bill_to', order: 'desc' }, { column: 'id' }])
      .limit(200);
    return renderCustomerTab(db, reply, customer, 'locations', 'customers/locations', {
      locations: rows,
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

  async function editLocation(
    reply: FastifyReply,
    customer: CustomerRow,
    location: Record<string, unknown>,
    form: Form,
  ) {
    return renderCustomerTab(db, reply, customer, 'locations', 'customers/location-edit', {
      location,
      form,
      countries,
    });
  }

  app.get('/customers/:id/locations/:rowId/edit', async (request, reply) => {
    const customer = await customerIn(request);
    const location = await ownedRow(db, 'locations', customer.id, rowIdOf(request), 'This location');
    return editLocation(reply, customer, location, emptyForm(location));
  });

  app.post('/customers/:id/locations/:rowId', async (request, reply) => {
    const customer = await customerIn(request);
    const location = await ownedRow<Record<string, unknown> & { id: number; version: number }>(
      db,
      'locations',
      customer.id,
      rowIdOf(request),
      'This location',
    );
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
      const current = error.current as typeof location;
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
    await removeLocation(db, staffOf(request), customer.id, rowIdOf(request));
    request.flash('success', 'Location removed.');
    return reply.seeOther(`/customers/${customer.id}/locations`);
  });

  /* Linked Accounts: only on corporate accounts. */

  async function corporateIn(request: FastifyRequest) {
    const customer = await customerIn(request);
    if (!customer.is_corporate) throw notFound('Linked Accounts of this customer (it is not a corporate account)');
    return customer;
  }

  async function linkedAccounts(reply: FastifyReply, customer: CustomerRow, form: Form = emptyForm()) {
    const children = await db('customers')
      .where({ parent_customer_id: customer.id })
      .orderBy(['name', 'id'])
      .limit(500)
      .select('id', 'account_number', 'name', 'status');
    return renderCustomerTab(db, reply, customer, 'linked-accounts', 'customers/linked-accounts', { children, form });
  }

  app.get('/customers/:id/linked-accounts', async (request, reply) =>
    linkedAccounts(reply, await corporateIn(request)),
  );

  app.post('/customers/:id/linked-accounts', async (request, reply) => {
    const customer = await corporateIn(request);
    const parsed = parseForm(linkAccountForm, submittedValues(request.body));
    const errors = parsed.ok
      ? await linkChildAccount(db, staffOf(request), customer, parsed.data.account_number)
      : parsed.errors;
    if (errors) return linkedAccounts(reply.code(422), customer, { values: submittedValues(request.body), errors });
    request.flash('success', 'Account linked.');
    return reply.seeOther(`/customers/${customer.id}/linked-accounts`);
  });

  app.post('/customers/:id/linked-accounts/:rowId/unlink', async (request, reply) => {
    const customer = await corporateIn(request);
    await unlinkChildAccount(db, staffOf(request), customer, rowIdOf(request));
    request.flash('success', 'Account unlinked.');
    return reply.seeOther(`/customers/${customer.id}/linked-accounts`);
  });

  /* Facilities. */

  async function facilities(reply: FastifyReply, customer: CustomerRow, form: Form = emptyForm()) {
    const [rows, locationOptions] = await Promise.all([
      db('facilities as f')
        .leftJoin('locations as l', 'l.id', 'f.location_id')
        .where('f.customer_id', customer.id)
        .orderBy('f.id')
        .limit(500)
        .select('f.id', 'f.name', 'f.kind', 'f.circuit_id', 'l.label as location_label', 'f.created_at'),
      db('locations').where({ customer_id: customer.id }).orderBy('id').limit(200).select('id', 'label', 'line1'),
    ]);
    return renderCustomerTab(db, reply, customer, 'facilities', 'customers/facilities', {
      facilities: rows,
      locations: locationOptions,
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
    await removeFacility(db, staffOf(request), customer.id, rowIdOf(request));
    request.flash('success', 'Facility removed.');
    return reply.seeOther(`/customers/${customer.id}/facilities`);
  });

  /* Alerts: shown on the header until cleared. */

  async function alerts(reply: FastifyReply, customer: CustomerRow, form: Form = emptyForm()) {
    const rows = await db('alerts as a')
      .leftJoin('users as c', 'c.id', 'a.created_by_user_id')
      .leftJoin('users as x', 'x.id', 'a.cleared_by_user_id')
      .where('a.customer_id', customer.id)
      .orderBy('a.id', 'desc')
      .limit(100)
      .select('a.id', 'a.message', 'a.created_at', 'a.cleared_at', 'c.name as created_by', 'x.name as cleared_by');
    return renderCustomerTab(db, reply, customer, 'alerts', 'customers/alerts', { alerts: rows, form });
  }

  app.get('/customers/:id/alerts', async (request, reply) => alerts(reply, await customerIn(request)));

  app.post('/customers/:id/alerts', async (request, reply) => {
    const customer = await customerIn(request);
    const parsed = parseForm(alertForm, submittedValues(request.body));
    if (!parsed.ok)
      return alerts(reply.code(422), customer, { values: submittedValues(request.body), errors: parsed.errors });
    await setAlert(db, staffOf(request), customer.id, parsed.data.message);
    request.flash('success', 'Alert set. It shows on every tab until cleared.');
    return reply.seeOther(`/customers/${customer.id}/alerts`);
  });

  app.post('/customers/:id/alerts/:rowId/clear', async (request, reply) => {
    const customer = await customerIn(request);
    await clearAlert(db, staffOf(request), customer.id, rowIdOf(request));
    request.flash('success', 'Alert cleared.');
    return reply.seeOther(`/customers/${customer.id}/alerts`);
  });
}
