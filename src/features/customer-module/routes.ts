import type { FastifyInstance } from 'fastify';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import type { Db } from '../../db/index.ts';
import { customerFromRequest } from './frame.ts';
import { landingTabPath } from './tabs.ts';

/** Opening a customer (from a list or search) lands on the tab the user chose in *My settings* (D3). */
export default async function openCustomerRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  app.get('/customers/:id/open', async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    return reply.redirect(landingTabPath(customer.id, staffOf(request).landingTab), 303);
  });
}
