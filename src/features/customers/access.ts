import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { staffOf } from '../../auth/guards.ts';
import type { StaffPrincipal } from '../../auth/principal.ts';
import { customersVisibleTo } from '../../auth/scope.ts';
import type { Db, Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import { type KeysetPage, keysetPage } from '../../lib/keyset.ts';

export const RECENTLY_VIEWED_LIMIT = 20;

/** The customer a request opened: a page (not an htmx fragment) of /customers/:id/… answered with 200. */
function openedCustomerId(request: FastifyRequest, statusCode: number): number | null {
  if (request.method !== 'GET' || statusCode !== 200 || request.principal?.kind !== 'staff' || request.isHtmx)
    return null;
  if (!request.routeOptions.url?.startsWith('/customers/:id')) return null;
  const id = Number((request.params as { id?: string }).id);
  return Number.isInteger(id) && id > 0 ? id : null;
}

/** Writes who opened which customer page, and moves the customer to the top of the user's *Recently Viewed*. */
export async function recordCustomerAccess(
  db: Db,
  access: { userId: number; customerId: number; path: string },
): Promise<void> {
  const at = nowIso();
  await db.transaction(async (trx) => {
    await trx('customer_access').insert({
      customer_id: access.customerId,
      user_id: access.userId,
      path: access.path.slice(0, 300),
      at,
    });
    await trx('recently_viewed')
      .insert({ user_id: access.userId, customer_id: access.customerId, viewed_at: at })
      .onConflict(['user_id', 'customer_id'])
      .merge(['viewed_at']);
  });
}

/**
 * The access trail as a mechanism (D5): every customer page any feature serves under /customers/:id
 * is recorded as it is sent, so no route writes it by hand. Written before the response leaves, so the
 * next page (Recently Viewed, the trail itself) already shows it; a failure is logged, not shown.
 */
export const customerAccessTrail = fp(async (app, { db }: { db: Db }) => {
  app.addHook('onSend', async (request, reply, payload) => {
    const customerId = openedCustomerId(request, reply.statusCode);
    if (customerId === null) return payload;
    try {
      await recordCustomerAccess(db, { userId: staffOf(request).id, customerId, path: request.url });
    } catch (error) {
      request.log.error({ err: error }, 'could not record the customer access trail');
    }
    return payload;
  });
});

export type RecentlyViewed = { id: number; account_number: string; name: string; status: string; viewed_at: string };

/** The user's last 20 customers opened, newest first, still within what the user may see. */
export async function recentlyViewed(db: Queryable, user: StaffPrincipal): Promise<RecentlyViewed[]> {
  return customersVisibleTo(db, user)
    .join('recently_viewed as rv', 'rv.customer_id', 'customers.id')
    .where('rv.user_id', user.id)
    .orderBy('rv.viewed_at', 'desc')
    .limit(RECENTLY_VIEWED_LIMIT)
    .select('customers.id', 'customers.account_number', 'customers.name', 'customers.status', 'rv.viewed_at');
}

export type AccessRow = { id: number; user_name: string | null; user_email: string | null; path: string; at: string };

/** One page of the *User Access Trail*, newest first; `before` is the last id of the previous page. */
export async function accessTrailPage(
  db: Queryable,
  customerId: number,
  before: number | undefined,
  size = 50,
): Promise<KeysetPage<AccessRow>> {
  const query = db('customer_access as a')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .where('a.customer_id', customerId)
    .orderBy('a.id', 'desc')
    .limit(size + 1)
    .select('a.id', 'u.name as user_name', 'u.email as user_email', 'a.path', 'a.at');
  if (before) query.where('a.id', '<', before);
  return keysetPage(await query, size);
}
