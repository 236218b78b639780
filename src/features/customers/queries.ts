import type { StaffPrincipal } from '../../auth/principal.ts';
import { customersVisibleTo } from '../../auth/scope.ts';
import type { Queryable } from '../../db/index.ts';
import { preparedQuery } from '../../db/prepared.ts';
import { flushWritesBehind } from '../../db/write-behind.ts';

export const RECENTLY_VIEWED_LIMIT = 20;

export type RecentlyViewed = { id: number; account_number: string; name: string; status: string; viewed_at: string };

/**
 * The user's last 20 customers opened, newest first, still within what the user may see. The access
 * trail (customer-module/metrics/access-trail.ts) keeps the list as customer pages are sent.
 */
export async function recentlyViewed(db: Queryable, user: StaffPrincipal): Promise<RecentlyViewed[]> {
  // Page views are written behind their responses: the list includes the page just left.
  await flushWritesBehind(db);
  return customersVisibleTo(db, user)
    .join('recently_viewed as rv', 'rv.customer_id', 'customers.id')
    .where('rv.user_id', user.id)
    .orderBy('rv.viewed_at', 'desc')
    .limit(RECENTLY_VIEWED_LIMIT)
    .select('customers.id', 'customers.account_number', 'customers.name', 'customers.status', 'rv.viewed_at');
}

/** A reseller's name, for headers and greetings. */
export async function resellerName(db: Queryable, resellerId: number): Promise<string | undefined> {
  return (await resellerNameById(db, { resellerId }))[0]?.name;
}

// Prepared: every customer page's header shows it.
const resellerNameById = preparedQuery<{ resellerId: number }, { name: string }>((db, param) =>
  db('resellers')
    .where({ id: param('resellerId') })
    .first('name'),
);
