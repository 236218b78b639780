import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { staffOf } from '../../auth/guards.ts';
import type { CustomerRow } from '../../auth/scope.ts';
import type { Db } from '../../db/index.ts';
import { type FieldErrors, parseForm } from '../../lib/forms.ts';
import { notFound } from '../../lib/http-error.ts';
import { hashPassword } from '../../lib/password.ts';
import { customerFromRequest, renderCustomerTab, rowIdFrom } from '../customer-module/frame.ts';
import { portalPreviewRoutes, startImpersonation } from './impersonation.ts';
import { changeContactPassword, ownedRow } from './records.ts';
import { MIN_PASSWORD_LENGTH, newPassword } from './schemas.ts';

type Contact = {
  id: number;
  name: string;
  login: string | null;
  email: string | null;
  access_revoked_at: string | null;
};

/** *Users*: the customer's portal users, with *Change Password* and *Impersonate Customer*. */
export default async function userRoutes(app: FastifyInstance, { db }: { db: Db }) {
  await app.register(portalPreviewRoutes, { db });
  const customerIn = (request: FastifyRequest) => customerFromRequest(db, request);
  const contactIn = async (request: FastifyRequest, customer: CustomerRow) => {
    const contact = await ownedRow<Contact>(db, 'contacts', customer.id, rowIdFrom(request, 'This user'), 'This user', [
      'id',
      'name',
      'login',
      'email',
      'access_revoked_at',
    ]);
    if (!contact.login) throw notFound('This portal user');
    return contact;
  };

  app.get('/customers/:id/users', async (request, reply) => {
    const customer = await customerIn(request);
    const users = await db('contacts')
      .where({ customer_id: customer.id })
      .whereNotNull('login')
      .orderBy('id')
      .limit(200)
      .select('id', 'name', 'login', 'email', 'access_revoked_at');
    return renderCustomerTab(db, reply, customer, 'users', 'customers/users', { users });
  });

  async function passwordPage(reply: FastifyReply, customer: CustomerRow, contact: Contact, errors: FieldErrors = {}) {
    return renderCustomerTab(db, reply, customer, 'users', 'customers/user-password', {
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
    request.flash('success', `Password of ${contact.login} changed.`);
    return reply.seeOther(`/customers/${customer.id}/users`);
  });

  app.post('/customers/:id/users/:rowId/impersonate', async (request, reply) => {
    const customer = await customerIn(request);
    const contact = await contactIn(request, customer);
    await startImpersonation(db, request, customer.id, contact);
    return reply.seeOther('/portal-preview');
  });
}
