import type { FastifyInstance, FastifyRequest } from 'fastify';
import { staffOf } from '../../auth/guards.ts';
import { findCustomerFor } from '../../auth/scope.ts';
import type { Db, Queryable } from '../../db/index.ts';
import { auditAction } from '../audit/audit.ts';
import { countryNames } from './schemas.ts';

declare module '@fastify/session' {
  interface FastifySessionObject {
    /** Set while a staff user looks at the client facing view as one of a customer's portal users. */
    impersonation?: { customerId: number; contactId: number };
  }
}

/** *Impersonate Customer*: remembered in the staff user's session and audited with whom they act as. */
export async function startImpersonation(
  db: Queryable,
  request: FastifyRequest,
  customerId: number,
  contact: { id: number; login: string | null },
) {
  await auditAction(
    db,
    { table: 'contacts', id: contact.id, customerId, actor: { userId: staffOf(request).id, actingAs: contact.login } },
    'impersonate',
    contact.login,
  );
  request.session.impersonation = { customerId, contactId: contact.id };
}

/**
 * A minimal, read-only client facing view (the portal issue builds the real one): what the portal user
 * would see of their account, under a banner that says who is looking and how to stop.
 */
export async function portalPreviewRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get('/portal-preview', async (request, reply) => {
    const impersonation = request.session.impersonation;
    const customer = impersonation ? await findCustomerFor(db, staffOf(request), impersonation.customerId) : undefined;
    const contact = customer
      ? await db('contacts')
          .where({ id: impersonation!.contactId, customer_id: customer.id })
          .first('id', 'name', 'login')
      : undefined;
    if (!customer || !contact) {
      delete request.session.impersonation;
      request.flash('info', 'You are not impersonating anyone. Use Impersonate Customer on a customer’s Users tab.');
      return reply.seeOther('/customers');
    }
    const billTo = await db('locations').where({ customer_id: customer.id, is_bill_to: true }).first();
    return reply.page('portal-preview/index', {
      title: `${customer.name} (client facing view)`,
      customer,
      contact,
      billTo,
      countryNames,
    });
  });

  app.post('/portal-preview/end', async (request, reply) => {
    const customerId = request.session.impersonation?.customerId;
    delete request.session.impersonation;
    return reply.seeOther(customerId ? `/customers/${customerId}/users` : '/customers');
  });
}
