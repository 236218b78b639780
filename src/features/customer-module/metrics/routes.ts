import type { FastifyInstance } from 'fastify';
import { requireStaff } from '../../../auth/guards.ts';
import type { Db } from '../../../db/index.ts';
import { beforeQuery } from '../../../lib/keyset.ts';
import { customerFromRequest, renderCustomerTab } from '../frame.ts';
import { metricsSubTabs } from '../tabs.ts';
import { accessTrailPage, activityLog, fieldChanges, fieldLabel, recordName, statusChanges } from './queries.ts';

/** *Metrics* (D5): what the audit mechanism and the access trail recorded, a page at a time. */
export default async function metricsRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  const metricsPages = {
    'status-changes': (id: number, before?: number) => statusChanges(db, id, before),
    'field-changes': (id: number, before?: number) => fieldChanges(db, id, before),
    'access-trail': (id: number, before?: number) => accessTrailPage(db, id, before),
    'activity-log': (id: number, before?: number) => activityLog(db, id, before),
  } as const;
  for (const sub of metricsSubTabs) {
    app.get(`/customers/:id/metrics${sub.path}`, async (request, reply) => {
      const customer = await customerFromRequest(db, request);
      const { before } = beforeQuery.parse(request.query);
      const page = await metricsPages[sub.key](customer.id, before);
      return renderCustomerTab(db, reply, customer, 'metrics', `customer-module/metrics/${sub.key}`, {
        page,
        fieldLabel,
        recordName,
        subTabs: { list: metricsSubTabs, current: sub.key },
      });
    });
  }
}
