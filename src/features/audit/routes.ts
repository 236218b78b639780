import type { FastifyInstance } from 'fastify';
import { requireStaff } from '../../auth/guards.ts';
import type { Db } from '../../db/index.ts';
import { notFound } from '../../lib/http-error.ts';
import { actionLabel, fieldLabel, recordKinds, recordName } from './labels.ts';
import { userAuditPage } from './queries.ts';
import { userAuditQuery, userParams } from './schemas.ts';

/** The per-user audit (F3, admin only): staff users, and what one of them changed across all records. */
export default async function auditRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin'));

  app.get('/audit/users', async (_request, reply) => {
    const users = await db('users').orderBy('name').select('id', 'name', 'email', 'role');
    return reply.page('audit/users', { title: 'Audit by user', users });
  });

  app.get('/audit/users/:id', async (request, reply) => {
    const params = userParams.safeParse(request.params);
    const user = params.success ? await db('users').where('id', params.data.id).first('id', 'name', 'email') : null;
    if (!user) throw notFound('This staff user');
    const filter = userAuditQuery.parse(request.query);
    const page = await userAuditPage(db, user.id, filter);
    return reply.page('audit/user', {
      title: `Changes by ${user.name}`,
      staff: user,
      filter,
      page,
      recordKinds,
      recordName,
      fieldLabel,
      actionLabel,
    });
  });
}
