import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { staffOf } from '../../../auth/guards.ts';
import { insertRows } from '../../../db/bulk.ts';
import type { Db, Tx } from '../../../db/index.ts';
import { preparedQuery } from '../../../db/prepared.ts';
import { WriteBehind } from '../../../db/write-behind.ts';
import { nowIso } from '../../../lib/dates.ts';

type CustomerAccess = { customer_id: number; user_id: number; path: string; at: string };

/** The customer a request opened: a page (not an htmx fragment) of /customers/:id/… answered with 200. */
function openedCustomerId(request: FastifyRequest, statusCode: number): number | null {
  if (request.method !== 'GET' || statusCode !== 200 || request.principal?.kind !== 'staff' || request.isHtmx)
    return null;
  if (!request.routeOptions.url?.startsWith('/customers/:id')) return null;
  const id = Number((request.params as { id?: string }).id);
  return Number.isInteger(id) && id > 0 ? id : null;
}

/**
 * Writes a batch of page views: the trail rows, and each (user, customer) pair's newest view moved to the
 * top of the user's *Recently Viewed*. A view older than the one stored (another process's batch that
 * committed first) leaves it as it is.
 */
async function recordCustomerAccess(trx: Tx, accesses: readonly CustomerAccess[]): Promise<void> {
  await insertRows(trx, 'customer_access', accesses);
  const newest = new Map<string, CustomerAccess>();
  for (const access of accesses) newest.set(`${access.user_id}:${access.customer_id}`, access);
  for (const access of newest.values()) await moveToTop(trx, access);
}

// Prepared: a batch of views of different customers is one upsert each.
const moveToTop = preparedQuery<CustomerAccess, never>((db, param) =>
  db('recently_viewed')
    .insert({ user_id: param('user_id'), customer_id: param('customer_id'), viewed_at: param('at') })
    .onConflict(['user_id', 'customer_id'])
    .merge(['viewed_at'])
    .where('recently_viewed.viewed_at', '<', db.raw('excluded.viewed_at')),
);

/**
 * The access trail as a mechanism (D5): every customer page any feature serves under /customers/:id
 * is recorded as it is sent, so no route writes it by hand. The rows are written behind the response,
 * in batches (src/db/write-behind.ts): a page view waits for no fsync. Readers of the trail and of
 * Recently Viewed flush first, and closing the app writes what is left; a crash loses at most the
 * last second (docs/security.md).
 */
export const customerAccessTrail = fp(async (app, { db }: { db: Db }) => {
  const trail = new WriteBehind<CustomerAccess>(db, {
    write: recordCustomerAccess,
    onError: (error) => app.log.error({ err: error }, 'could not record the customer access trail'),
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const customerId = openedCustomerId(request, reply.statusCode);
    if (customerId !== null)
      trail.add({
        customer_id: customerId,
        user_id: staffOf(request).id,
        path: request.url.slice(0, 300),
        at: nowIso(),
      });
    return payload;
  });
  app.addHook('onClose', async () => {
    try {
      await trail.close();
    } catch (error) {
      app.log.error({ err: error }, 'could not record the customer access trail');
    }
  });
});
