import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { CustomerRow } from '../../auth/scope.ts';
import type { Db } from '../../db/index.ts';
import { type FieldErrors, parseForm } from '../../lib/forms.ts';
import { beforeQuery } from '../../lib/keyset.ts';
import { idParam } from '../../lib/params.ts';
import { customerFromRequest, renderCustomerTab, rowIdFrom } from '../customer-module/frame.ts';
import { resendEmail } from '../email/outbox.ts';
import { emailHistoryAbout } from '../email/queries.ts';
import {
  addContact,
  removeContact,
  restoreAccess,
  revokeAccess,
  saveCustomerLinks,
  updateContact,
} from './contacts.ts';
import { sendWelcome } from './links.ts';
import {
  type ContactRow,
  contactList,
  contactOfCustomer,
  customerEmails,
  customerLinks,
  emailOfCustomer,
  profilesOf,
} from './queries.ts';
import { contactForm, contactListQuery, customerLinksForm } from './schemas.ts';

/** Admins and support manage contacts and their profiles (E3); reseller staff see them. */
const manageContacts = requireStaff('admin', 'support');

/**
 * *Customer Details* (E3): the customer's contacts under /customers/:id/contacts, sortable and searchable,
 * with add, edit, remove, *Revoke Access* and the welcome e-mail; each contact's page shows its e-mail history.
 */
export default async function contactRoutes(app: FastifyInstance, { db, publicUrl }: { db: Db; publicUrl: string }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));
  const contactIn = (request: FastifyRequest, customer: CustomerRow) =>
    contactOfCustomer(db, customer.id, rowIdFrom(request, 'This contact'));
  const base = (customer: CustomerRow) => `/customers/${customer.id}/contacts`;
  // Resellers see the e-mail history; only admins and support resend.
  const resendBase = (request: FastifyRequest, customer: CustomerRow) =>
    staffOf(request).role === 'reseller' ? null : `/customers/${customer.id}/emails`;

  async function detailsPage(
    request: FastifyRequest,
    reply: FastifyReply,
    customer: CustomerRow,
    linksForm: { values?: Record<string, unknown>; errors?: FieldErrors } = {},
  ) {
    const query = contactListQuery.parse(request.query);
    const data = { query, contacts: await contactList(db, customer.id, query), base: base(customer) };
    if (request.isHtmx) return reply.page('contacts/_list', { ...data, customer });
    const links = await customerLinks(db, customer.id);
    return renderCustomerTab(db, reply, customer, 'contacts', 'contacts/index', {
      ...data,
      links,
      linkValues: linksForm.values ?? links,
      linkErrors: linksForm.errors ?? {},
    });
  }

  app.get('/customers/:id/contacts', async (request, reply) =>
    detailsPage(request, reply, await customerFromRequest(db, request)),
  );

  app.post('/customers/:id/links', { preHandler: manageContacts }, async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    const form = parseForm(customerLinksForm, request.body);
    if (!form.ok) {
      const values = request.body as Record<string, unknown>;
      return detailsPage(request, reply.code(422), customer, { values, errors: form.errors });
    }
    await saveCustomerLinks(db, customer.id, form.data, actorOf(staffOf(request)));
    request.flash('success', 'Linked accounts saved.');
    return reply.seeOther(base(customer));
  });

  async function contactFormPage(
    reply: FastifyReply,
    customer: CustomerRow,
    contact: ContactRow | null,
    values: Record<string, unknown>,
    errors: FieldErrors = {},
  ) {
    const profiles = await profilesOf(db, customer.reseller_id);
    return renderCustomerTab(db, reply, customer, 'contacts', 'contacts/form', {
      contact,
      profiles,
      values: { profile_id: profiles[0]?.id, ...values },
      errors,
      base: base(customer),
    });
  }

  app.get('/customers/:id/contacts/new', { preHandler: manageContacts }, async (request, reply) =>
    contactFormPage(reply, await customerFromRequest(db, request), null, {}),
  );

  app.post('/customers/:id/contacts', { preHandler: manageContacts }, async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    const form = parseForm(contactForm, request.body);
    if (!form.ok)
      return contactFormPage(reply.code(422), customer, null, request.body as Record<string, unknown>, form.errors);
    const id = await addContact(db, customer, form.data, actorOf(staffOf(request)));
    request.flash('success', `Contact ${form.data.name} added.`);
    return reply.seeOther(`${base(customer)}/${id}`);
  });

  app.get('/customers/:id/contacts/:rowId', async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    const contact = await contactIn(request, customer);
    return renderCustomerTab(db, reply, customer, 'contacts', 'contacts/show', {
      title: `${contact.name} · ${customer.name}`,
      contact,
      emails: await emailHistoryAbout(db, 'contact_id', contact.id),
      base: base(customer),
      resendBase: resendBase(request, customer),
    });
  });

  app.get('/customers/:id/contacts/:rowId/edit', { preHandler: manageContacts }, async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    const contact = await contactIn(request, customer);
    return contactFormPage(reply, customer, contact, {
      ...contact,
      is_billing_contact: Boolean(Number(contact.is_billing_contact)),
    });
  });

  app.post('/customers/:id/contacts/:rowId', { preHandler: manageContacts }, async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    const contact = await contactIn(request, customer);
    const form = parseForm(contactForm, request.body);
    if (!form.ok)
      return contactFormPage(reply.code(422), customer, contact, request.body as Record<string, unknown>, form.errors);
    await updateContact(db, customer, contact.id, form.data, actorOf(staffOf(request)));
    request.flash('success', `Contact ${form.data.name} saved.`);
    return reply.seeOther(`${base(customer)}/${contact.id}`);
  });

  // Destructive actions: a <dialog> on the contact's page, and this page when JavaScript is off.
  for (const action of ['remove', 'revoke'] as const) {
    app.get(`/customers/:id/contacts/:rowId/${action}`, { preHandler: manageContacts }, async (request, reply) => {
      const customer = await customerFromRequest(db, request);
      return renderCustomerTab(db, reply, customer, 'contacts', 'contacts/confirm', {
        contact: await contactIn(request, customer),
        action,
        base: base(customer),
      });
    });
  }

  app.post('/customers/:id/contacts/:rowId/removal', { preHandler: manageContacts }, async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    const contact = await contactIn(request, customer);
    await removeContact(db, customer.id, contact.id, actorOf(staffOf(request)));
    request.flash('success', `Contact ${contact.name} removed.`);
    return reply.seeOther(base(customer));
  });

  app.post('/customers/:id/contacts/:rowId/revocation', { preHandler: manageContacts }, async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    const contact = await contactIn(request, customer);
    await revokeAccess(db, customer.id, contact.id, actorOf(staffOf(request)));
    request.flash('success', `${contact.name} can no longer use the portal. The contact stays on the record.`);
    return reply.seeOther(`${base(customer)}/${contact.id}`);
  });

  app.post('/customers/:id/contacts/:rowId/restoration', { preHandler: manageContacts }, async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    const contact = await contactIn(request, customer);
    await restoreAccess(db, customer.id, contact.id, actorOf(staffOf(request)));
    request.flash('success', `${contact.name} has access to the portal again.`);
    return reply.seeOther(`${base(customer)}/${contact.id}`);
  });

  app.post('/customers/:id/contacts/:rowId/welcome', { preHandler: manageContacts }, async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    const contact = await contactIn(request, customer);
    const sent = await sendWelcome(db, contact, customer.name, publicUrl, actorOf(staffOf(request)));
    if (sent) request.flash('success', `Welcome e-mail queued to ${contact.email}.`);
    else request.flash('warning', `${contact.name} has no e-mail address. Add one, then send the welcome e-mail.`);
    return reply.seeOther(`${base(customer)}/${contact.id}`);
  });

  // E3: every e-mail to the customer and its contacts, delivered or the error, with *Resend*.
  app.get('/customers/:id/emails', async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    const { before } = beforeQuery.parse(request.query);
    const page = await customerEmails(db, customer.id, before);
    return renderCustomerTab(db, reply, customer, 'contacts', 'contacts/emails', {
      title: `Email History · ${customer.name}`,
      emails: page.rows,
      nextBefore: page.nextBefore,
      before,
      resendBase: resendBase(request, customer),
    });
  });

  app.post('/customers/:id/emails/:emailId/resend', { preHandler: manageContacts }, async (request, reply) => {
    const customer = await customerFromRequest(db, request);
    const email = await emailOfCustomer(db, customer.id, idParam(request, 'emailId', 'This e-mail'));
    await resendEmail(db, email.id);
    request.flash('success', `The e-mail to ${email.to_address} is queued again.`);
    return reply.seeOther(
      email.contact_id ? `${base(customer)}/${email.contact_id}` : `/customers/${customer.id}/emails`,
    );
  });
}
