import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { staffOf } from '../../../auth/guards.ts';
import type { Db } from '../../../db/index.ts';
import { nowIso } from '../../../lib/dates.ts';

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
