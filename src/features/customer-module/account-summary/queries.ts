import type { Queryable } from '../../../db/index.ts';
import { preparedQuery } from '../../../db/prepared.ts';
import { pinnedNotes } from '../communications/queries.ts';
import { activityLog } from '../metrics/queries.ts';

// Prepared, like the rest of the landing tab's reads.
const latestOpenTickets = preparedQuery<{ customerId: number }, { id: number; subject: string; created_at: string }>(
  (db, param) =>
    db('tickets')
      .where({ customer_id: param('customerId'), status: 'open' })
      .orderBy('id', 'desc')
      .limit(5)
      .select('id', 'subject', 'created_at'),
);

/** *Account Summary*: the latest pinned notes and open tickets, and the recent activity (the Bill To is the header's). */
export async function accountSummary(db: Queryable, customerId: number) {
  const [notes, openTickets, activity] = await Promise.all([
    pinnedNotes(db, customerId, 3),
    latestOpenTickets(db, { customerId }),
    activityLog(db, customerId, undefined, 8),
  ]);
  return { pinnedNotes: notes, openTickets, activity: activity.rows };
}
