import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import type { CustomerRow } from '../../../auth/scope.ts';
import type { Db } from '../../../db/index.ts';
import { parseForm, submittedValues } from '../../../lib/forms.ts';
import { customerFromRequest, emptyForm, renderCustomerTab, rowIdFrom, type TabForm } from '../frame.ts';
import { clearAlert, setAlert } from './alerts.ts';
import { customerAlerts } from './queries.ts';
import { alertForm } from './schemas.ts';

/** *Alerts*: set one, clear one; the header shows those not cleared. */
export default async function alertRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));
  const customerIn = (request: FastifyRequest) => customerFromRequest(db, request);

  async function alerts(reply: FastifyReply, customer: CustomerRow, form: TabForm = emptyForm()) {
    return renderCustomerTab(db, reply, customer, 'alerts', 'customer-module/alerts/index', {
      alerts: await customerAlerts(db, customer.id),
      form,
    });
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
    await clearAlert(db, staffOf(request), customer.id, rowIdFrom(request, 'This record'));
    request.flash('success', 'Alert cleared.');
    return reply.seeOther(`/customers/${customer.id}/alerts`);
  });
}
