import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import type { Db } from '../../db/index.ts';
import { transactionNumberFor } from '../ledger/payments.ts';
import { globalSearch } from './search.ts';

const searchQuery = z.object({ q: z.string().trim().max(100).catch('') });

/** The top-bar search over customers, contacts, invoices and transactions (E1). */
export default async function searchRoutes(app: FastifyInstance, { db }: { db: Db }) {
  // Staff pages: a signed-in portal contact is refused here, not shown a staff page.
  app.addHook('preHandler', requireStaff());
  app.get('/search', async (request, reply) => {
    const { q } = searchQuery.parse(request.query);
    const results = q.length >= 2 ? await globalSearch(db, staffOf(request), q) : null;
    return reply.page('search/index', { title: 'Search', q, results, transactionNumber: transactionNumberFor });
  });
}
