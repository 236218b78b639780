import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../db/index.ts';
import { likeInsensitive } from '../../db/dialect.ts';
import { scopedCustomers } from '../customers/queries.ts';

const searchQuery = z.object({ q: z.string().trim().max(100).default('') });

/** The top-bar search. For now it finds customers by name or account number prefix; the search issue widens it. */
export default async function searchRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get('/search', async (request, reply) => {
    const { q } = searchQuery.parse(request.query);
    const customers =
      q.length >= 2
        ? await scopedCustomers(db, request.user!)
            .where((w) => w.where(likeInsensitive(db, 'name', q, 'prefix')).orWhere('account_number', q.toUpperCase()))
            .orderBy('name')
            .limit(20)
        : [];
    return reply.page('search/index', { title: 'Search', q, customers });
  });
}
