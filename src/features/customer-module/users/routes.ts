import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import type { CustomerRow } from '../../../auth/scope.ts';
import type { Db } from '../../../db/index.ts';
import { type FieldErrors, parseForm } from '../../../lib/forms.ts';
import { hashPassword } from '../../../lib/password.ts';
import { MIN_PASSWORD_LENGTH, newPassword } from '../../customers/schemas.ts';
import { customerFromRequest, renderCustomerTab, rowIdFrom } from '../frame.ts';
import { ownedRow } from '../queries.ts';
import { portalUsers } from './queries.ts';
import { changeContactPassword, recordImpersonation } from './users.ts';

type Contact = {
  id: number;
  name: string;
  login: string | null;
  email: string | null;
  access_revoked_at: string | null;
};

/** *Users*: the customer's portal users, with *Change Password* and *Impersonate Customer*. */
export default async function userRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));
  const customerIn = (request: FastifyRequest) => customerFromRequest(db, request);
  const contactIn = (request: FastifyRequest, customer: CustomerRow) =>
    ownedRow<Contact>(db, 'contacts', customer.id, rowIdFrom(request, 'This user'), 'This user', [
      'id',
      'name',
      'login',
      'email',
      'access_revoked_at',
    ]);

  app.get('/customers/:id/users', async (request, reply) => {
    const customer = await customerIn(request);
    return renderCustomerTab(db, reply, customer, 'users', 'customer-module/users/index', {
      users: await portalUsers(db, customer.id),
    });
  });

  async function passwordPage(reply: FastifyReply, customer: CustomerRow, contact: Contact, errors: FieldErrors = {}) {
    return renderCustomerTab(db, reply, customer, 'users', 'customer-module/users/password', {
      contact,
      errors,
      minLength: MIN_PASSWORD_LENGTH,
    });
  }

  app.get('/customers/:id/users/:rowId/password', async (request, reply) => {
    const customer = await customerIn(request);
    return passwordPage(reply, customer, await contactIn(request, customer));
  });

  app.post('/customers/:id/users/:rowId/password', async (request, reply) => {
    const customer = await customerIn(request);
    const contact = await contactIn(request, customer);
    const parsed = parseForm(newPassword, request.body);
    // Passwords are never sent back into the form: the user types them again.
    if (!parsed.ok) return passwordPage(reply.code(422), customer, contact, parsed.errors);
    await changeContactPassword(
      db,
      staffOf(request),
      customer.id,
      contact.id,
      await hashPassword(parsed.data.password),
    );
    request.flash('success', `Password of ${contact.login ?? contact.name} changed.`);
    return reply.seeOther(`/customers/${customer.id}/users`);
  });

  // The portal (src/plugins/auth.ts) reads whom the staff user impersonates from the session (E14).
  app.post('/customers/:id/users/:rowId/impersonate', async (request, reply) => {
    const customer = await customerIn(request);
    const contact = await contactIn(request, customer);
    await recordImpersonation(db, staffOf(request), customer.id, contact);
    request.session.impersonation = { customerId: customer.id, contactId: contact.id };
    return reply.seeOther('/portal');
  });
}
