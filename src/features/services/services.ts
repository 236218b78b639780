import type { Actor } from '../../auth/principal.ts';
import type { Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import { recordChanges, StaleEditError } from '../audit/audit.ts';
import type { SettingValues } from '../catalogue/service-types.ts';
import type { ServiceNumberRow, ServiceRow } from './queries.ts';

/**
 * Changes one number's settings on *Service Details*: refused when stale, version bumped, and one
 * audit event per changed setting (field `settings.<key>`), in one transaction.
 */
export async function updateNumberSettings(
  db: Queryable,
  service: ServiceRow,
  serviceNumber: ServiceNumberRow,
  settings: SettingValues,
  expectedVersion: number,
  actor: Actor,
): Promise<string[]> {
  return db.transaction(async (trx) => {
    const updated = await trx('service_numbers')
      .where({ id: serviceNumber.id, version: expectedVersion })
      .update({ settings: JSON.stringify(settings), version: expectedVersion + 1, updated_at: nowIso() });
    if (updated !== 1) throw new StaleEditError(await trx('service_numbers').where({ id: serviceNumber.id }).first());
    const prefixed = (values: SettingValues) =>
      Object.fromEntries(Object.entries(values).map(([k, v]) => [`settings.${k}`, v]));
    return recordChanges(
      trx,
      { table: 'service_numbers', id: serviceNumber.id, customerId: service.customer_id, actor },
      prefixed(serviceNumber.settings),
      prefixed(settings),
    );
  });
}
