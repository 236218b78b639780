import type { Queryable } from '../../../db/index.ts';
import { preparedQuery } from '../../../db/prepared.ts';
import { flushWritesBehind } from '../../../db/write-behind.ts';
import type { KeysetPage } from '../../../lib/keyset.ts';
import type { AuditEvent } from '../../audit/audit.ts';
import { fieldLabel, recordLabel } from '../../audit/labels.ts';
import { newestFirstPage } from '../queries.ts';

export { fieldLabel, recordName } from '../../audit/labels.ts';

const actionWords: Record<string, string> = {
  create: 'added',
  update: 'changed',
  status: 'status changed',
  delete: 'removed',
  impersonate: 'impersonated',
  'password-change': 'password changed',
};

export type HistoryEvent = Omit<AuditEvent, 'actor_user_id'>;

/** The customer's audit events with who made them; callers order and bound them. */
function customerEvents(db: Queryable, customerId: number) {
  return db('audit_events as a')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    .where('a.customer_id', customerId)
    .select(
      'a.id',
      'a.entity',
      'a.entity_id',
      'a.action',
      'a.field',
      'a.old_value',
      'a.new_value',
      'a.reason',
      'a.acting_as',
      'u.name as actor_name',
      'a.at',
    );
}

/** *Status Changes*: the customer's status events with their reasons, newest first. */
export async function statusChanges(
  db: Queryable,
  customerId: number,
  before?: number,
  size = 50,
): Promise<KeysetPage<HistoryEvent>> {
  const query = customerEvents(db, customerId).where({ 'a.action': 'status', 'a.entity': 'customers' });
  return newestFirstPage(query, 'a.id', before, size);
}

/** *Field Level Changes*: one row per changed field of any of the customer's records, newest first. */
export async function fieldChanges(
  db: Queryable,
  customerId: number,
  before?: number,
  size = 50,
): Promise<KeysetPage<HistoryEvent>> {
  const query = customerEvents(db, customerId).whereIn('a.action', ['update', 'status']);
  return newestFirstPage(query, 'a.id', before, size);
}

export type Activity = {
  id: number;
  summary: string;
  entity: string;
  entity_id: number;
  actor_name: string | null;
  acting_as: string | null;
  reason: string | null;
  at: string;
  fields: string[];
};

function sameActivity(a: HistoryEvent, b: HistoryEvent) {
  return (
    a.entity === b.entity &&
    a.entity_id === b.entity_id &&
    a.action === b.action &&
    a.at === b.at &&
    a.actor_name === b.actor_name
  );
}

/**
 * The newest events, prepared per window size: the first page of the Activity Log and the Account Summary's
 * recent activity (the landing tab) are read on every view of them.
 */
const newestEvents = new Map<number, (db: Queryable, params: { customerId: number }) => Promise<HistoryEvent[]>>();
function newestEventsIn(window: number) {
  let query = newestEvents.get(window);
  if (!query) {
    query = preparedQuery<{ customerId: number }, HistoryEvent>((db, param) =>
      customerEvents(db, param('customerId') as unknown as number)
        .orderBy('a.id', 'desc')
        .limit(window),
    );
    newestEvents.set(window, query);
  }
  return query;
}

/**
 * *Activity Log*: the events of one change (one record, one action, one moment) read as one line,
 * e.g. "Note added". Reads a bounded window of raw events, so a customer with 10,000 events costs the
 * same as one with ten; a line cut by the window's edge waits for the next page.
 */
export async function activityLog(
  db: Queryable,
  customerId: number,
  before?: number,
  size = 50,
): Promise<KeysetPage<Activity>> {
  const window = size * 4;
  const events: HistoryEvent[] = before
    ? await customerEvents(db, customerId).where('a.id', '<', before).orderBy('a.id', 'desc').limit(window)
    : await newestEventsIn(window)(db, { customerId });
  return activitiesOf(events, size);
}

/**
 * Groups newest-first events (a window of `size * 4`) into a page of `size` activities: an edit's changed
 * fields are one activity. The window's last activity may go on past it, so it is left for the next page.
 */
export function activitiesOf(events: HistoryEvent[], size: number): KeysetPage<Activity> {
  const window = size * 4;
  const activities: Activity[] = [];
  let last: HistoryEvent | undefined;
  for (const e of events) {
    if (last && sameActivity(last, e)) {
      const current = activities[activities.length - 1];
      current.id = e.id;
      if (e.field) current.fields.unshift(fieldLabel(e.field));
    } else {
      activities.push({
        id: e.id,
        summary: `${recordLabel(e.entity)} ${actionWords[e.action] ?? e.action}`,
        entity: e.entity,
        entity_id: e.entity_id,
        actor_name: e.actor_name,
        acting_as: e.acting_as,
        reason: e.reason,
        at: e.at,
        fields: e.field ? [fieldLabel(e.field)] : [],
      });
    }
    last = e;
  }
  const complete = events.length < window ? activities : activities.slice(0, -1);
  const page = complete.slice(0, size);
  const more = complete.length > size || events.length === window;
  return { rows: page, nextBefore: more && page.length ? page[page.length - 1].id : null };
}

export type AccessRow = { id: number; user_name: string | null; user_email: string | null; path: string; at: string };

/** One page of the *User Access Trail*, newest first; `before` is the last id of the previous page. */
export async function accessTrailPage(
  db: Queryable,
  customerId: number,
  before: number | undefined,
  size = 50,
): Promise<KeysetPage<AccessRow>> {
  // Page views are written behind their responses: the trail shown includes the latest.
  await flushWritesBehind(db);
  const query = db('customer_access as a')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .where('a.customer_id', customerId)
    .select('a.id', 'u.name as user_name', 'u.email as user_email', 'a.path', 'a.at');
  return newestFirstPage(query, 'a.id', before, size);
}
