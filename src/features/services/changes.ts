import type { Actor } from '../../auth/principal.ts';
import { inTransaction, type Queryable } from '../../db/index.ts';
import { nowIso, todayIso } from '../../lib/dates.ts';
import { auditCreated, auditDeleted, updateAudited } from '../audit/audit.ts';
import { priceTable } from '../catalogue/price-lists.ts';
import type { Price } from '../catalogue/pricing.ts';
import { defaultSettings, findServiceType, type ServiceType } from '../catalogue/service-types.ts';
import { gradeLabels } from '../numbers/grades.ts';
import { assignNumber, quarantineNumbers } from '../numbers/numbers.ts';
import { quarantineDays } from '../settings/settings.ts';
import { numbersOfServices, type ServiceNumberRow, type ServiceRow } from './queries.ts';

/** What a change on *Service Details* (C8) did, or why it was refused (a sentence for the page). */
export type ChangeOutcome = { ok: true; message: string } | { ok: false; message: string };

const refused = (message: string): ChangeOutcome => ({ ok: false, message });

async function typeOf(db: Queryable, service: ServiceRow): Promise<ServiceType> {
  return (await findServiceType(db, service.service_type_id))!;
}

/** When a number let go now is free again: after the quarantine an admin sets (Settings). */
async function quarantineEnd(db: Queryable, now: string): Promise<string> {
  return new Date(Date.parse(now) + (await quarantineDays(db)) * 86_400_000).toISOString();
}

/**
 * Adds inventory numbers to a service: only numbers of the public pool or of the service's customer's own
 * pool; each is assigned by the same conditional UPDATE as the wizard's, so a number someone else took
 * meanwhile is skipped, never shared. Priced by the service's price list; audited.
 */
export async function addNumbersToService(
  db: Queryable,
  service: ServiceRow,
  ids: number[],
  actor: Actor,
): Promise<ChangeOutcome> {
  const [type, table] = await Promise.all([typeOf(db, service), priceTable(db, service.price_list_id)]);
  return inTransaction(db, async (trx) => {
    const now = nowIso();
    const offered: { id: number; number: string; grade: keyof typeof gradeLabels }[] = await trx('phone_numbers')
      .whereIn('id', ids)
      .where((pool) => pool.whereNull('pool_customer_id').orWhere('pool_customer_id', service.customer_id))
      .orderBy('number')
      .select('id', 'number', 'grade');
    const unpriced = offered.filter((n) => !table.grades[n.grade]);
    if (unpriced.length)
      return refused(
        `${service.price_list_name} has no price for ${gradeLabels[unpriced[0].grade]} numbers, so nothing was added. Choose another number or change the price list.`,
      );
    const added: string[] = [];
    for (const n of offered) {
      if (!(await assignNumber(trx, undefined, n.id, service.customer_id, now))) continue;
      const row = {
        service_id: service.id,
        phone_number_id: n.id,
        settings: JSON.stringify(defaultSettings(type.settings)),
        ...(table.grades[n.grade] as Price),
        created_at: now,
        updated_at: now,
      };
      const [{ id }] = await trx('service_numbers').insert(row).returning('id');
      await auditCreated(
        trx,
        { table: 'service_numbers', id, customerId: service.customer_id, actor },
        { ...row, number: n.number },
      );
      added.push(n.number);
    }
    const lost = ids.length - added.length;
    if (!added.length)
      return refused('Those numbers were just taken by someone else. Search again and choose another.');
    return {
      ok: true,
      message: `${added.join(', ')} added.${lost ? ` ${lost} ${lost === 1 ? 'number was' : 'numbers were'} taken meanwhile.` : ''}`,
    };
  });
}

/**
 * Removes a number from a service: it goes into quarantine, and its removal is audited. The last number
 * of a service whose type needs numbers stays: the service is ended instead.
 */
export async function removeNumberFromService(
  db: Queryable,
  service: ServiceRow,
  serviceNumber: ServiceNumberRow,
  actor: Actor,
): Promise<ChangeOutcome> {
  const [type, numbers] = await Promise.all([typeOf(db, service), numbersOfServices(db, [service.id])]);
  if (type.needs_numbers && numbers.length <= 1)
    return refused(
      `A ${type.name} service needs at least one number, so ${serviceNumber.number} stays. Add another number first, or end the service.`,
    );
  return inTransaction(db, async (trx) => {
    const now = nowIso();
    await trx('service_numbers').where({ id: serviceNumber.id }).delete();
    await auditDeleted(
      trx,
      { table: 'service_numbers', id: serviceNumber.id, customerId: service.customer_id, actor },
      { service_id: service.id, number: serviceNumber.number },
    );
    const until = await quarantineEnd(trx, now);
    await quarantineNumbers(trx, [serviceNumber.phone_number_id], until, now);
    return {
      ok: true,
      message: `${serviceNumber.number} removed. It goes back to the inventory on ${until.slice(0, 10)}.`,
    };
  });
}

/**
 * *Change Price List* on a service: the service and each of its numbers are repriced under the new list,
 * refused when the list has no price for the type or for a number's grade, or the service changed meanwhile
 * (StaleEditError). Every price change is audited.
 */
export async function changeServicePriceList(
  db: Queryable,
  service: ServiceRow,
  priceList: { id: number; name: string },
  expectedVersion: number,
  actor: Actor,
): Promise<ChangeOutcome> {
  const [table, numbers] = await Promise.all([priceTable(db, priceList.id), numbersOfServices(db, [service.id])]);
  const servicePrice = table.services[service.service_type_id];
  if (!servicePrice)
    return refused(`${priceList.name} has no price for ${service.type_name}. Choose another price list.`);
  const missing = numbers.find((n) => !table.grades[n.grade]);
  if (missing)
    return refused(
      `${priceList.name} has no price for ${gradeLabels[missing.grade]} numbers. Choose another price list.`,
    );
  return inTransaction(db, async (trx) => {
    const target = { customerId: service.customer_id, actor };
    await updateAudited(
      trx,
      { ...target, table: 'services', id: service.id, expectedVersion },
      { price_list_id: priceList.id, ...servicePrice },
    );
    for (const n of numbers)
      await updateAudited(trx, { ...target, table: 'service_numbers', id: n.id }, { ...table.grades[n.grade]! });
    return { ok: true, message: `The service is priced under ${priceList.name} now.` };
  });
}

/** Ends a service in a transaction: status 'ended' on its end date, its numbers into quarantine. */
async function endNow(trx: Queryable, service: { id: number; customer_id: number }, endsOn: string, actor: Actor) {
  const now = nowIso();
  await updateAudited(
    trx,
    { table: 'services', id: service.id, customerId: service.customer_id, actor },
    { status: 'ended', ends_on: endsOn },
  );
  const numberIds: number[] = await trx('service_numbers').where({ service_id: service.id }).pluck('phone_number_id');
  await quarantineNumbers(trx, numberIds, await quarantineEnd(trx, now), now);
}

/**
 * *End service*: an end date of today ends it at once; a later one is kept, and the `services-end` job
 * ends it that day. An ended service is no longer active, so it stops counting in recurring charges.
 */
export async function endService(
  db: Queryable,
  service: ServiceRow,
  endsOn: string,
  expectedVersion: number,
  actor: Actor,
  today = todayIso(),
): Promise<ChangeOutcome> {
  return inTransaction(db, async (trx) => {
    if (endsOn > today) {
      await updateAudited(
        trx,
        { table: 'services', id: service.id, customerId: service.customer_id, actor, expectedVersion },
        { ends_on: endsOn },
      );
      return { ok: true, message: `The service ends on ${endsOn}; its numbers then go into quarantine.` };
    }
    await updateAudited(
      trx,
      { table: 'services', id: service.id, customerId: service.customer_id, actor, expectedVersion },
      {},
    );
    await endNow(trx, service, endsOn, actor);
    return { ok: true, message: 'The service has ended; its numbers are in quarantine.' };
  });
}

/** The `services-end` job: ends every active service whose end date has come, one transaction each. */
export async function endDueServices(db: Queryable, today = todayIso()): Promise<number> {
  const due: { id: number; customer_id: number; ends_on: string }[] = await db('services')
    .where('status', 'active')
    .where('ends_on', '<=', today)
    .orderBy('id')
    .limit(1000)
    .select('id', 'customer_id', 'ends_on');
  for (const service of due) await inTransaction(db, (trx) => endNow(trx, service, service.ends_on, { userId: null }));
  return due.length;
}
