import type { FastifyInstance, FastifyRequest } from 'fastify';
import { staffOf } from '../../auth/guards.ts';
import type { Db } from '../../db/index.ts';
import { beforeQuery } from '../../lib/keyset.ts';
import { customerFromRequest, renderCustomerTab } from '../customer-module/frame.ts';
import { metricsSubTabs } from '../customer-module/tabs.ts';
import { customerProducts } from '../services/services.ts';
import { accessTrailPage } from './access.ts';
import communicationRoutes from './communication-routes.ts';
import documentRoutes from './document-routes.ts';
import { activityLog, entityLabel, fieldChanges, statusChanges } from './history.ts';
import recordRoutes from './record-routes.ts';
import userRoutes from './user-routes.ts';

/** The Customer Module's tabs (D4) beyond Customer Information and Additional Information. */
export default async function moduleTabRoutes(app: FastifyInstance, { db }: { db: Db }) {
  await app.register(recordRoutes, { db });
  await app.register(communicationRoutes, { db });
  await app.register(documentRoutes, { db });
  await app.register(userRoutes, { db });

  const customerIn = (request: FastifyRequest) => customerFromRequest(db, request);

  app.get('/customers/:id/account-summary', async (request, reply) => {
    const customer = await customerIn(request);
    const [billTo, pinnedNotes, openTickets, activity] = await Promise.all([
      db('locations').where({ customer_id: customer.id, is_bill_to: true }).first(),
      db('notes as n')
        .leftJoin('users as u', 'u.id', 'n.author_user_id')
        .where({ 'n.customer_id': customer.id, 'n.pinned': true })
        .orderBy('n.id', 'desc')
        .limit(3)
        .select('n.id', 'n.body', 'n.created_at', 'u.name as author_name'),
      db('tickets')
        .where({ customer_id: customer.id, status: 'open' })
        .orderBy('id', 'desc')
        .limit(5)
        .select('id', 'subject', 'created_at'),
      activityLog(db, customer.id, undefined, 8),
    ]);
    return renderCustomerTab(db, reply, customer, 'account-summary', 'customers/account-summary', {
      billTo,
      pinnedNotes,
      openTickets,
      activity: activity.rows,
    });
  });

  // Orders (D4): the services ordered for this customer, newest first, as the wizard created them.
  app.get('/customers/:id/orders', async (request, reply) => {
    const customer = await customerIn(request);
    return renderCustomerTab(db, reply, customer, 'orders', 'customers/orders', {
      orders: await customerProducts(db, staffOf(request), customer.id),
    });
  });

  /* Metrics (D5): what the audit mechanism and the access trail recorded. */
  const metricsPages = {
    'status-changes': (id: number, before?: number) => statusChanges(db, id, before),
    'field-changes': (id: number, before?: number) => fieldChanges(db, id, before),
    'access-trail': (id: number, before?: number) => accessTrailPage(db, id, before),
    'activity-log': (id: number, before?: number) => activityLog(db, id, before),
  } as const;
  for (const sub of metricsSubTabs) {
    app.get(`/customers/:id/metrics${sub.path}`, async (request, reply) => {
      const customer = await customerIn(request);
      const { before } = beforeQuery.parse(request.query);
      const page = await metricsPages[sub.key](customer.id, before);
      return renderCustomerTab(db, reply, customer, 'metrics', `customers/metrics/${sub.key}`, {
        page,
        entityLabel,
        subTabs: { list: metricsSubTabs, current: sub.key },
      });
    });
  }
}
