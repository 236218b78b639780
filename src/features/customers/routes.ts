import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../db/index.ts';
import { notFound } from '../../lib/http-error.ts';
import { requireRole } from '../../plugins/auth.ts';
import { customerExternalNumber } from '../external-numbers/external-numbers.ts';
import { findCustomerFor, scopedCustomers } from './queries.ts';

const idParams = z.object({ id: z.coerce.number().int().positive() });

export default async function customerRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireRole('admin', 'support', 'reseller'));

  app.get('/customers', async (request, reply) => {
    const customers = await scopedCustomers(db, request.user!)
      .leftJoin('resellers', 'resellers.id', 'customers.reseller_id')
      .orderBy('customers.name')
      .limit(50)
      .select('customers.*', 'resellers.name as reseller_name');
    return reply.page('customers/index', { title: 'Customers', customers });
  });

  app.get('/customers/:id', async (request, reply) => {
    const params = idParams.safeParse(request.params);
    if (!params.success) throw notFound('This customer');
    const customer = await findCustomerFor(db, request.user!, params.data.id);
    if (!customer) throw notFound('This customer');
    return reply.page('customers/show', { title: customer.name, customer, externalNumber: await customerExternalNumber(db, customer) });
  });
}
