import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { staffOf } from '../../auth/guards.ts';
import type { Queryable } from '../../db/index.ts';
import { type FieldErrors, parseForm } from '../../lib/forms.ts';
import { notFound } from '../../lib/http-error.ts';
import { formatCents } from '../../lib/money.ts';
import { listPriceLists } from '../catalogue/price-lists.ts';
import { findServiceType } from '../catalogue/service-types.ts';
import { defaultFilters, filterKeys, filtersToSearch, numberFilterForm } from '../numbers/filters.ts';
import { gradeLabels, grades } from '../numbers/grades.ts';
import { knownPrefixes, searchNumbers, selectionMethodLabels, selectionMethods } from '../numbers/numbers.ts';
import { quarantineDays } from '../settings/settings.ts';
import { findServiceFor, numbersOfServices, type ServiceRow, serviceHistory } from './queries.ts';

export const serviceParams = z.object({ id: z.coerce.number().int().positive() });

/** The service in the URL, if the user may see its customer (tenant scoping); 404 otherwise. */
export async function serviceIn(db: Queryable, request: FastifyRequest): Promise<ServiceRow> {
  const params = serviceParams.safeParse(request.params);
  const service = params.success ? await findServiceFor(db, staffOf(request), params.data.id) : undefined;
  if (!service) throw notFound('This service');
  return service;
}

/** A number's settings form sent back with its errors or a refusal. */
export type NumberForm = { numberId: number; values: Record<string, string>; errors: FieldErrors; message?: string };

/**
 * *Add numbers*: the wizard's inventory search (C3) over the public pool and the customer's own pool.
 * Results only for a search the user ran (the filters in the query string) that is valid.
 */
async function numberSearch(db: Queryable, service: ServiceRow, query: Record<string, unknown>) {
  const searched = typeof query.method === 'string';
  const filters = Object.fromEntries(
    filterKeys.map((k) => [k, searched && typeof query[k] === 'string' ? String(query[k]) : defaultFilters[k]]),
  );
  const pools = [
    { value: 'public', label: 'Public pool' },
    { value: String(service.customer_id), label: `${service.customer_name}'s own pool` },
  ];
  const parsed = parseForm(numberFilterForm, filters);
  const filterErrors: FieldErrors = searched && !parsed.ok ? parsed.errors : {};
  if (parsed.ok && !pools.some((p) => p.value === parsed.data.pool)) filterErrors.pool = 'Choose a pool from the list.';
  const valid = searched && parsed.ok && !Object.keys(filterErrors).length;
  return {
    filters,
    filterErrors,
    searched: valid,
    results: valid && parsed.ok ? await searchNumbers(db, filtersToSearch(parsed.data)) : [],
    pools,
    prefixes: await knownPrefixes(db),
    grades,
    methods: selectionMethods,
    methodLabels: selectionMethodLabels,
  };
}

type HistoryEvent = {
  action: string;
  field: string | null;
  old_value: string | null;
  new_value: string | null;
  /** The number a number's change concerns (while it is still on the service). */
  number: string | null;
};

/** One line of the service's history in words a user knows: "price list from X to Y", "added 0121…". */
function describe(event: HistoryEvent, priceLists: { id: number; name: string }[]): string {
  if (event.action === 'create') return `added ${event.new_value}`;
  if (event.action === 'delete') return `removed ${event.old_value}`;
  const field = event.field ?? '';
  const shown = (value: string | null) => {
    if (value === null || value === '') return '(none)';
    if (field === 'price_list_id') return priceLists.find((p) => String(p.id) === value)?.name ?? value;
    if (field.endsWith('_cents')) return formatCents(Number(value));
    return value;
  };
  const label =
    { price_list_id: 'price list', monthly_cents: 'monthly price', setup_cents: 'set-up price', ends_on: 'end date' }[
      field
    ] ?? field.replace('settings.', '').replace(/_/g, ' ');
  return `${event.number ? `${event.number}: ` : ''}${label} from “${shown(event.old_value)}” to “${shown(event.new_value)}”`;
}

/** *Service Details* (C8): numbers with their settings, Add numbers, Change Price List, End service, the history. */
export async function renderServiceDetails(
  db: Queryable,
  request: FastifyRequest,
  reply: FastifyReply,
  service: ServiceRow,
  extras: { form?: NumberForm | null; priceListError?: string } = {},
) {
  const [type, numbers, history, priceLists, search, days] = await Promise.all([
    findServiceType(db, service.service_type_id),
    numbersOfServices(db, [service.id]),
    serviceHistory(db, service),
    listPriceLists(db),
    numberSearch(db, service, request.query as Record<string, unknown>),
    quarantineDays(db),
  ]);
  if (Object.keys(search.filterErrors).length && reply.statusCode < 400) reply.code(422);
  return reply.page('services/details', {
    title: `Service Details · ${service.type_name}`,
    service,
    type,
    numbers,
    form: extras.form ?? null,
    priceListError: extras.priceListError,
    history: history.map((e: HistoryEvent & { at: string; actor_name: string | null }) => ({
      ...e,
      text: describe(e, priceLists),
    })),
    priceLists,
    quarantineDays: days,
    action: `/services/${service.id}`,
    gradeLabels,
    ...search,
  });
}
