import type { Queryable } from '../../../db/index.ts';
import { preparedQuery } from '../../../db/prepared.ts';

export type ActiveAlert = { id: number; message: string; created_at: string };

/** The alerts not yet cleared, newest first: the header shows them on every tab (D2). */
export async function activeAlerts(db: Queryable, customerId: number): Promise<ActiveAlert[]> {
  return alertsNotCleared(db, { customerId });
}

// Prepared: every customer page's header shows them.
const alertsNotCleared = preparedQuery<{ customerId: number }, ActiveAlert>((db, param) =>
  db('alerts')
    .where({ customer_id: param('customerId') })
    .whereNull('cleared_at')
    .orderBy('id', 'desc')
    .limit(5)
    .select('id', 'message', 'created_at'),
);

/** Every alert of the customer, cleared or not, with who set and who cleared it. */
export async function customerAlerts(db: Queryable, customerId: number) {
  return db('alerts as a')
    .leftJoin('users as c', 'c.id', 'a.created_by_user_id')
    .leftJoin('users as x', 'x.id', 'a.cleared_by_user_id')
    .where('a.customer_id', customerId)
    .orderBy('a.id', 'desc')
    .limit(100)
    .select('a.id', 'a.message', 'a.created_at', 'a.cleared_at', 'c.name as created_by', 'x.name as cleared_by');
}
