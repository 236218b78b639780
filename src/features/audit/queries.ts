import type { Queryable } from '../../db/index.ts';
import { type KeysetPage, keysetPage } from '../../lib/keyset.ts';
import type { AuditEvent } from './audit.ts';

export const HISTORY_PAGE_SIZE = 50;

/**
 * The start of an event's value, as indexed (migration 20261130180000) and queried: the new value, or
 * for a deletion the old one, so that "which numbers did institution 7 have" finds creations, moves
 * and deletions alike. Ids and numbers fit in the start.
 */
export const AUDIT_VALUE_START = 'coalesce(substr(new_value, 1, 40), substr(old_value, 1, 40))';
/**
 * The events that index holds (migration 20261130201400), written out rather than bound: a partial index
 * answers only a query that repeats its condition, and SQLite cannot match a bound value to it.
 */
export const NUMBER_EVENTS = "entity = 'external_customer_numbers'";

/** What a staff user changed, across every record (F3): newest first, one kind of record and a date range if given. */
export type UserAuditFilter = { entity?: string; from?: string; to?: string; before?: number };

/**
 * One page of one staff user's audit events. Every filter is answered by the (actor_user_id, entity, id)
 * and (actor_user_id, id) indexes walking down from `before`; the date range narrows `at`, which grows
 * with the id.
 */
export async function userAuditPage(
  db: Queryable,
  userId: number,
  filter: UserAuditFilter,
  size = HISTORY_PAGE_SIZE,
): Promise<KeysetPage<AuditEvent>> {
  const query = db('audit_events as a')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    .where('a.actor_user_id', userId)
    .select('a.*', 'u.name as actor_name');
  if (filter.entity) query.where('a.entity', filter.entity);
  if (filter.from) query.where('a.at', '>=', filter.from);
  // `to` is a whole day: everything before the next day starts.
  if (filter.to) query.where('a.at', '<', `${filter.to}T24`);
  if (filter.before) query.where('a.id', '<', filter.before);
  return keysetPage(await query.orderBy('a.id', 'desc').limit(size + 1), size);
}

/**
 * The history of an institution's or group's external customer number (A8): every create, change and
 * delete of the numbers it has had (who, when, old, new), newest first. The numbers are its current one
 * and those whose creation, move or deletion event named this owner (the index on entity, field and the value's start).
 */
export async function externalNumberHistory(
  db: Queryable,
  owner: { column: 'institution_id' | 'group_id'; id: number },
  limit = HISTORY_PAGE_SIZE,
): Promise<AuditEvent[]> {
  const numberIds = db('audit_events')
    .whereRaw(NUMBER_EVENTS)
    .where({ field: owner.column })
    .whereRaw(`${AUDIT_VALUE_START} = ?`, [String(owner.id)])
    .select('entity_id');
  // Its current number too, which may predate the audit log (imported) and so have no creation event.
  const current = await db('external_customer_numbers').where(owner.column, owner.id).first('id');
  return db('audit_events as a')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    .where('a.entity', 'external_customer_numbers')
    .where((w) => {
      w.whereIn('a.entity_id', numberIds);
      if (current) w.orWhere('a.entity_id', current.id);
    })
    .where('a.field', 'number')
    .orderBy('a.id', 'desc')
    .limit(limit)
    .select('a.*', 'u.name as actor_name');
}
