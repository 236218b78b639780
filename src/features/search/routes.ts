import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../db/index.ts';
import { searchCustomers } from '../customers/search.ts';

const searchQuery = z.object({ q: z.string().trim().max(100).catch('').default('') });

/** The top-bar search. For now it finds customers (the same search as the Customers list); the search issue widens it. */
export default async function searchRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get('/search', async (request, reply) => {
    const { q } = searchQuery.parse(request.query);
    const customers = q.length >= 2 ? (await searchCustomers(db, request.user!, q)).customers : [];
    return reply.page('search/index', { title: 'Search', q, customers });
  });
}
