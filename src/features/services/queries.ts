import type { StaffPrincipal } from '../../auth/principal.ts';
import { customersVisibleTo } from '../../auth/scope.ts';
import type { Queryable } from '../../db/index.ts';
import type { SettingValues } from '../catalogue/service-types.ts';
import type { Grade } from '../numbers/grades.ts';

export type ServiceRow = {
  id: number;
  customer_id: number;
  customer_name: string;
  account_number: string;
  service_type_id: number;
  type_name: string;
  price_list_id: number;
  price_list_name: string;
  status: string;
  /** The day it ends (C8), once someone has ended it or set it to end. */
  ends_on: string | null;
  version: number;
  monthly_cents: number;
  setup_cents: number;
  created_at: string;
};

export type ServiceNumberRow = {
  id: number;
  service_id: number;
  number: string;
  phone_number_id: number;
  grade: Grade;
  settings: SettingValues;
  monthly_cents: number;
  setup_cents: number;
  version: number;
};

function servicesQuery(db: Queryable, user: StaffPrincipal) {
  return customersVisibleTo(db, user, 'c')
    .join('services as s', 's.customer_id', 'c.id')
    .join('service_types as t', 't.id', 's.service_type_id')
    .join('price_lists as p', 'p.id', 's.price_list_id')
    .select(
      's.id',
      's.customer_id',
      'c.name as customer_name',
      'c.account_number',
      's.service_type_id',
      't.name as type_name',
      's.price_list_id',
      'p.name as price_list_name',
      's.status',
      's.ends_on',
      's.version',
      's.monthly_cents',
      's.setup_cents',
      's.created_at',
    );
}

/** A service the user may see (its customer is in the user's scope), or undefined. */
export async function findServiceFor(db: Queryable, user: StaffPrincipal, id: number): Promise<ServiceRow | undefined> {
  return servicesQuery(db, user).where('s.id', id).first();
}

/** The numbers of some services, in number order, with their settings. */
export async function numbersOfServices(db: Queryable, serviceIds: number[]): Promise<ServiceNumberRow[]> {
  if (!serviceIds.length) return [];
  const rows = await db('service_numbers as sn')
    .join('phone_numbers as n', 'n.id', 'sn.phone_number_id')
    .whereIn('sn.service_id', serviceIds)
    .orderBy('n.number')
    .select(
      'sn.id',
      'sn.service_id',
      'sn.phone_number_id',
      'n.number',
      'n.grade',
      'sn.settings',
      'sn.monthly_cents',
      'sn.setup_cents',
      'sn.version',
    );
  return rows.map((r: ServiceNumberRow & { settings: string }) => ({
    ...r,
    settings: JSON.parse(r.settings) as SettingValues,
  }));
}

/** The *Products* tab (C8): the customer's services, newest first (bounded), each with its numbers. */
export async function customerProducts(db: Queryable, user: StaffPrincipal, customerId: number) {
  const services: ServiceRow[] = await servicesQuery(db, user)
    .where('s.customer_id', customerId)
    .orderBy('s.id', 'desc')
    .limit(200);
  const numbers = await numbersOfServices(
    db,
    services.map((s) => s.id),
  );
  return services.map((s) => ({ ...s, numbers: numbers.filter((n) => n.service_id === s.id) }));
}

/**
 * The last changes of a service, newest first, for *Service Details*: its own (price list, end date,
 * status) and its numbers' (added, removed, settings and prices changed); a number added and removed
 * shows as one line each (its `number` event). Read through the customer's history index, so it costs
 * one customer's history at most.
 */
export async function serviceHistory(db: Queryable, service: { id: number; customer_id: number }) {
  const numberIds = db('audit_events')
    .where({ customer_id: service.customer_id, entity: 'service_numbers', field: 'service_id' })
    .where('new_value', String(service.id))
    .select('entity_id');
  return db('audit_events as a')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    .leftJoin('service_numbers as sn', (on) => on.on('sn.id', 'a.entity_id').andOnVal('a.entity', 'service_numbers'))
    .leftJoin('phone_numbers as pn', 'pn.id', 'sn.phone_number_id')
    .where('a.customer_id', service.customer_id)
    .where((q) =>
      q
        .where((own) =>
          own.where('a.entity', 'services').where('a.entity_id', service.id).whereNot('a.action', 'create'),
        )
        .orWhere((numbers) => numbers.where('a.entity', 'service_numbers').whereIn('a.entity_id', numberIds)),
    )
    .where((q) => q.whereNotIn('a.action', ['create', 'delete']).orWhere('a.field', 'number'))
    .orderBy('a.id', 'desc')
    .limit(30)
    .select('a.*', 'u.name as actor_name', 'pn.number as number');
}
