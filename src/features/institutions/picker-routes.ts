import type { FastifyInstance } from 'fastify';
import { requireStaff } from '../../auth/guards.ts';
import type { Db } from '../../db/index.ts';
import { orgPicker } from './picker.ts';
import { pickerQuery } from './schemas.ts';

/**
 * The institution and group picker's type-ahead (A5), for every staff user who edits customers: the
 * options of one of its two lists. Without JavaScript the form's own Search does the same.
 */
export default async function orgPickerRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  for (const kind of ['institution', 'group'] as const) {
    app.get(`/org-picker/${kind}s`, async (request, reply) => {
      const values = pickerQuery.parse(request.query);
      return reply.page('institutions/_picker-options', { kind, picker: await orgPicker(db, values) });
    });
  }
}
