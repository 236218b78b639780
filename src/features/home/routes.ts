import type { FastifyInstance } from 'fastify';
import { staffOf } from '../../auth/guards.ts';
import type { Db } from '../../db/index.ts';
import { resellerName } from '../customers/queries.ts';
import { receivablesPage } from './receivables-page.ts';
import { customerStats } from './stats.ts';

export default async function homeRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get('/', async (request, reply) => {
    const user = staffOf(request);
    const reseller = user.resellerId ? await resellerName(db, user.resellerId) : undefined;
    return reply.page('home/index', {
      title: 'Home',
      stats: await customerStats(db, user),
      resellerName: reseller ?? null,
      ...(user.role === 'support' ? {} : await receivablesPage(db, user)),
    });
  });

  app.get('/healthz', { config: { public: true } }, async () => ({ ok: true }));
}
