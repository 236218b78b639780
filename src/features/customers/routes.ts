import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../db/index.ts';
import { notFound } from '../../lib/http-error.ts';
import { requireRole } from '../../plugins/auth.ts';
import { customerExternalNumber } from '../external-numbers/external-numbers.ts';
import { findCustomerFor, scopedCustomers } from './queries.ts';

const idParams = z.object({ id: z.coerce.number().int().positive() });
const listQuery = z.object({ open_invoices: z.enum(['on']).optional().catch(undefined) });

export default async function customerRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireRole('admin', 'support', 'reseller'));

  app.get('/customers', async (request, reply) => {
    const { open_invoices } = listQuery.parse(request.query);
    const query = scopedCustomers(db, request.user!);
    // Quick filter (E1): only customers with an open invoice.
    if (open_invoices) query.whereExists(db('invoices').whereRaw('invoices.customer_id = customers.id').where('open_cents', '>', 0).select(db.raw('1')));
    const customers = await query
      .leftJoin('resellers', 'resellers.id', 'customers.reseller_id')
      .orderBy('customers.name')
      .limit(50)
      .select('customers.*', 'resellers.name as reseller_name');
    return reply.page('customers/index', { title: 'Customers', customers, openInvoicesOnly: Boolean(open_invoices) });
  });

  app.get('/customers/:id', async (request, reply) => {
    const params = idParams.safeParse(request.params);
    if (!params.success) throw notFound('This customer');
    const customer = await findCustomerFor(db, request.user!, params.data.id);
    if (!customer) throw notFound('This customer');
    return reply.page('customers/show', { title: customer.name, customer, externalNumber: await customerExternalNumber(db, customer) });
  });
}
