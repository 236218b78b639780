import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';
import { scopedCustomers } from '../customers/queries.ts';

export default async function homeRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get('/', async (request, reply) => {
    const user = request.user!;
    const counts = await scopedCustomers(db, user)
      .select('status')
      .count({ count: '*' })
      .groupBy('status');
    const byStatus = Object.fromEntries((counts as { status: string; count: number | string }[]).map((row) => [row.status, Number(row.count)]));
    const total = Object.values(byStatus).reduce((sum: number, n) => sum + Number(n), 0);
    const reseller = user.resellerId ? await db('resellers').where({ id: user.resellerId }).first('name') : null;
    return reply.page('home/index', {
      title: 'Home',
      stats: { total, active: byStatus.active ?? 0, suspended: byStatus.suspended ?? 0 },
      resellerName: reseller?.name ?? null,
    });
  });

  app.get('/healthz', { config: { public: true } }, async () => ({ ok: true }));
}
