import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import { submittedValues } from '../../lib/forms.ts';
import { HttpError, notFound } from '../../lib/http-error.ts';
import { StaleEditError } from '../audit/audit.ts';
import { findServiceType, validateSettings } from '../catalogue/service-types.ts';
import { customerFromRequest, renderCustomerTab } from '../customer-module/frame.ts';
import { gradeLabels } from '../numbers/grades.ts';
import { renderServiceDetails, serviceIn, serviceParams } from './details.ts';
import { customerProducts, numbersOfServices } from './queries.ts';
import { updateNumberSettings } from './services.ts';

const numberParams = serviceParams.extend({ numberId: z.coerce.number().int().positive() });
const versionField = z.object({ version: z.coerce.number().int().positive() });

/** The customer's *Products* and *Orders* tabs, and *Service Details* (C8). Tenant-scoped through the customer. */
export default async function serviceRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  app.get('/customers/:id/products', async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    return renderCustomerTab(db, reply, customer, 'products', 'services/products', {
      services: await customerProducts(db, staffOf(request), customer.id),
      gradeLabels,
    });
  });

  // Orders (D4): the services ordered for this customer, newest first, as the wizard created them.
  app.get('/customers/:id/orders', async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    return renderCustomerTab(db, reply, customer, 'orders', 'services/orders', {
      orders: await customerProducts(db, staffOf(request), customer.id),
    });
  });

  app.get('/services/:id', async (request, reply) =>
    renderServiceDetails(db, request, reply, await serviceIn(db, request)),
  );

  app.post('/services/:id/numbers/:numberId', async (request, reply) => {
    const service = await serviceIn(db, request);
    if (service.status !== 'active') throw new HttpError(409, 'This service has ended: it takes no more changes.');
    const params = numberParams.parse(request.params);
    const serviceNumber = (await numbersOfServices(db, [service.id])).find((n) => n.id === params.numberId);
    const type = await findServiceType(db, service.service_type_id);
    if (!serviceNumber || !type) throw notFound('This number of the service');
    const body = submittedValues(request.body);
    const checked = validateSettings(type.settings, body);
    const version = versionField.safeParse(body);
    if (!checked.ok || !version.success) {
      return renderServiceDetails(db, request, reply.code(422), service, {
        form: {
          numberId: serviceNumber.id,
          values: { ...checked.values, version: body.version ?? '' },
          errors: checked.ok ? { _form: 'Reload the page and try again.' } : checked.errors,
        },
      });
    }
    try {
      const changed = await updateNumberSettings(
        db,
        service,
        serviceNumber,
        checked.values,
        version.data.version,
        actorOf(staffOf(request)),
      );
      request.flash(
        'success',
        changed.length ? `Settings of ${serviceNumber.number} saved.` : `Nothing changed for ${serviceNumber.number}.`,
      );
    } catch (error) {
      if (!(error instanceof StaleEditError)) throw error;
      return renderServiceDetails(db, request, reply.code(409), service, {
        form: {
          numberId: serviceNumber.id,
          values: { ...checked.values, version: String(error.current.version) },
          errors: {},
          message: error.message,
        },
      });
    }
    return reply.seeOther(`/services/${service.id}`);
  });
}
