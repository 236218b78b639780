import type { FastifyInstance } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import { findCustomerFor } from '../../../auth/scope.ts';
import type { Db } from '../../../db/index.ts';
import { countryNames } from '../../customers/schemas.ts';
import { billToLocation } from '../queries.ts';
import { customerContact } from './queries.ts';

declare module '@fastify/session' {
  interface FastifySessionObject {
    /** Set by *Impersonate Customer* while a staff user looks at the client facing view as one of a customer's portal users. */
    impersonation?: { customerId: number; contactId: number };
  }
}

/**
 * A minimal, read-only client facing view (the portal issue builds the real one): what the portal user
 * would see of their account, under a banner that says who is looking and how to stop.
 */
export default async function portalPreviewRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  app.get('/portal-preview', async (request, reply) => {
    const impersonation = request.session.impersonation;
    const customer = impersonation ? await findCustomerFor(db, staffOf(request), impersonation.customerId) : undefined;
    const contact = customer ? await customerContact(db, customer.id, impersonation!.contactId) : undefined;
    if (!customer || !contact) {
      delete request.session.impersonation;
      request.flash('info', 'You are not impersonating anyone. Use Impersonate Customer on a customer’s Users tab.');
      return reply.seeOther('/customers');
    }
    return reply.page('customer-module/users/portal-preview', {
      title: `${customer.name} (client facing view)`,
      customer,
      contact,
      billTo: await billToLocation(db, customer.id),
      countryNames,
    });
  });

  app.post('/portal-preview/end', async (request, reply) => {
    const customerId = request.session.impersonation?.customerId;
    delete request.session.impersonation;
    return reply.seeOther(customerId ? `/customers/${customerId}/users` : '/customers');
  });
}
