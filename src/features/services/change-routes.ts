import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import { todayIso } from '../../lib/dates.ts';
import { parseForm, submittedValues } from '../../lib/forms.ts';
import { HttpError, notFound } from '../../lib/http-error.ts';
import { StaleEditError } from '../audit/audit.ts';
import { findPriceList } from '../catalogue/price-lists.ts';
import { filterKeys, idList } from '../numbers/filters.ts';
import { quarantineDays } from '../settings/settings.ts';
import {
  addNumbersToService,
  type ChangeOutcome,
  changeServicePriceList,
  endService,
  removeNumberFromService,
} from './changes.ts';
import { renderServiceDetails, serviceIn } from './details.ts';
import { numbersOfServices, type ServiceRow } from './queries.ts';
import { endForm, priceListChange, serviceNumberParams } from './schemas.ts';

const STALE = 'Someone else changed this service after you opened it, so nothing was changed. Look again and retry.';

/**
 * Changes on *Service Details* (C8) after creation: add numbers from the inventory, remove one (after a
 * page that asks), change the price list, end the service (a page of its own, which is its confirmation).
 * Each a domain function in changes.ts, audited; an ended service takes no more changes.
 */
export default async function serviceChangeRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  async function activeService(request: FastifyRequest): Promise<ServiceRow> {
    const service = await serviceIn(db, request);
    if (service.status !== 'active') throw new HttpError(409, 'This service has ended: it takes no more changes.');
    return service;
  }

  async function numberOf(request: FastifyRequest, service: ServiceRow) {
    const params = serviceNumberParams.safeParse(request.params);
    const found =
      params.success && (await numbersOfServices(db, [service.id])).find((n) => n.id === params.data.numberId);
    if (!found) throw notFound('This number of the service');
    return found;
  }

  /** Back to Service Details with what happened (and, after adding, the same search). */
  function reported(request: FastifyRequest, service: ServiceRow, outcome: ChangeOutcome, query = '') {
    request.flash(outcome.ok ? 'success' : 'error', outcome.message);
    return `/services/${service.id}${query}`;
  }

  app.post('/services/:id/numbers', async (request, reply) => {
    const service = await activeService(request);
    const body = submittedValues(request.body);
    const ids = idList.safeParse(body.add !== undefined ? body.add : body.ticked);
    const search = `?${new URLSearchParams(filterKeys.map((k) => [k, String(body[k] ?? '')]))}#add-numbers`;
    const outcome =
      ids.success && ids.data.length
        ? await addNumbersToService(db, service, ids.data, actorOf(staffOf(request)))
        : { ok: false as const, message: 'Tick the numbers to add first.' };
    return reply.seeOther(reported(request, service, outcome, search));
  });

  // Remove: a page that asks first (with or without JavaScript), then the removal itself.
  app.get('/services/:id/numbers/:numberId/remove', async (request, reply) => {
    const service = await activeService(request);
    return reply.page('services/remove-number', {
      title: 'Remove a number',
      service,
      number: await numberOf(request, service),
      quarantineDays: await quarantineDays(db),
    });
  });

  app.post('/services/:id/numbers/:numberId/removal', async (request, reply) => {
    const service = await activeService(request);
    const number = await numberOf(request, service);
    const outcome = await removeNumberFromService(db, service, number, actorOf(staffOf(request)));
    return reply.seeOther(reported(request, service, outcome));
  });

  app.post('/services/:id/price-list', async (request, reply) => {
    const service = await activeService(request);
    const form = parseForm(priceListChange, request.body);
    const priceList = form.ok ? await findPriceList(db, form.data.price_list_id) : undefined;
    if (!form.ok || !priceList)
      return renderServiceDetails(db, request, reply.code(422), service, { priceListError: 'Choose a price list.' });
    try {
      const outcome = await changeServicePriceList(
        db,
        service,
        priceList,
        form.data.version,
        actorOf(staffOf(request)),
      );
      if (!outcome.ok)
        return renderServiceDetails(db, request, reply.code(422), service, { priceListError: outcome.message });
      return reply.seeOther(reported(request, service, outcome));
    } catch (error) {
      if (!(error instanceof StaleEditError)) throw error;
      return reply.seeOther(reported(request, service, { ok: false, message: STALE }));
    }
  });

  const endPage = (service: ServiceRow, values: Record<string, unknown>, errors: Record<string, string>) => ({
    title: 'End service',
    service,
    values,
    errors,
  });

  app.get('/services/:id/end', async (request, reply) => {
    const service = await activeService(request);
    return reply.page('services/end', {
      ...endPage(service, { ends_on: service.ends_on ?? todayIso(), version: service.version }, {}),
      quarantineDays: await quarantineDays(db),
    });
  });

  app.post('/services/:id/end', async (request, reply) => {
    const service = await activeService(request);
    const body = submittedValues(request.body);
    const form = parseForm(endForm, body);
    if (!form.ok)
      return reply
        .code(422)
        .page('services/end', { ...endPage(service, body, form.errors), quarantineDays: await quarantineDays(db) });
    try {
      const outcome = await endService(db, service, form.data.ends_on, form.data.version, actorOf(staffOf(request)));
      return reply.seeOther(reported(request, service, outcome));
    } catch (error) {
      if (!(error instanceof StaleEditError)) throw error;
      return reply.seeOther(reported(request, service, { ok: false, message: STALE }));
    }
  });
}
