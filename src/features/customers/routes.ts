import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import type { Db } from '../../db/index.ts';
import { openDraftsFor } from './drafts.ts';
import { customerInventory, inventoryQuery } from './inventory.ts';
import { recentlyViewed } from './queries.ts';
import { customerStatuses } from './schemas.ts';
import { MAX_TERM_LENGTH, searchCustomers } from './search.ts';

const listQuery = z.object({
  // Any length reaches the search, which says when a term is too long (cutting or dropping it would mislead).
  q: z.string().catch('').default(''),
  page: z.coerce.number().int().positive().catch(1).default(1),
  open_invoices: z.enum(['on']).optional().catch(undefined),
});

/** Reaching a customer (D1): Search, Inventory, Recently Viewed. */
export default async function customerRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  app.get('/customers', async (request, reply) => {
    const query = listQuery.parse(request.query);
    const search = await searchCustomers(db, staffOf(request), query.q, query.page, {
      openInvoicesOnly: query.open_invoices === 'on',
    });
    const data = {
      title: 'Customers',
      search,
      maxTermLength: MAX_TERM_LENGTH,
      drafts: request.isHtmx ? [] : await openDraftsFor(db, staffOf(request)),
    };
    return reply.pageOrFragment({ page: 'customers/index', fragment: 'customers/_results' }, data);
  });

  app.get('/customers/inventory', async (request, reply) => {
    const filters = inventoryQuery.parse(request.query);
    const inventory = await customerInventory(db, staffOf(request), filters);
    return reply.pageOrFragment(
      { page: 'customers/inventory', fragment: 'customers/_inventory-results' },
      { title: 'Inventory', filters, inventory, statuses: customerStatuses },
    );
  });

  app.get('/customers/recent', async (request, reply) => {
    return reply.page('customers/recent', {
      title: 'Recently Viewed',
      customers: await recentlyViewed(db, staffOf(request)),
    });
  });
}
