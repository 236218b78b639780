import type { FastifyInstance } from 'fastify';
import { requireStaff } from '../../../auth/guards.ts';
import type { Db } from '../../../db/index.ts';
import { customerFromRequest, renderCustomerTab } from '../frame.ts';
import { accountSummary } from './queries.ts';

/** *Account Summary*: the customer at a glance. */
export default async function accountSummaryRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  app.get('/customers/:id/account-summary', async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    const summary = await accountSummary(db, customer.id);
    return renderCustomerTab(db, reply, customer, 'account-summary', 'customer-module/account-summary/index', summary);
  });
}
