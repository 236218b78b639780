import Fastify from 'fastify';
import t from 'tap';
import { contactOf, requireContact, requireStaff, staffOf } from '../../src/auth/guards.ts';
import { actorOf, can, type Principal, permissions } from '../../src/auth/principal.ts';
import { customersVisibleTo, findCustomerFor, rowsOwnedByVisibleCustomers } from '../../src/auth/scope.ts';
import { toStaffPrincipal } from '../../src/auth/staff-users.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { anInvoice } from '../fixtures/billing.ts';
import { aContact, aCustomer, contactPrincipal } from '../fixtures/customers.ts';
import { aReseller, aStaffUser } from '../fixtures/staff.ts';
import { openEmptyTestDatabase } from '../helpers/app.ts';

// Two customers of one reseller and one of another, an invoice each, a contact of the first customer, and
// staff of every role: shared by the tests below, which only read.
const { db } = await openEmptyTestDatabase(t);
await migrateToLatest(db);
const reseller = await aReseller(db);
const otherReseller = await aReseller(db);
const customers = {
  customer: await aCustomer(db, { reseller_id: reseller.id }),
  sibling: await aCustomer(db, { reseller_id: reseller.id }),
  stranger: await aCustomer(db, { reseller_id: otherReseller.id }),
};
const invoices = {
  customer: await anInvoice(db, { customerId: customers.customer.id }),
  sibling: await anInvoice(db, { customerId: customers.sibling.id }),
  stranger: await anInvoice(db, { customerId: customers.stranger.id }),
};
const contact = await aContact(db, { customer_id: customers.customer.id, email: 'pat@customer.example' });
const staff = async (role: 'admin' | 'support' | 'reseller') =>
  toStaffPrincipal(await aStaffUser(db, { role, resellerId: role === 'reseller' ? reseller.id : null }));
const admin = await staff('admin');
const support = await staff('support');
const resellerStaff = await staff('reseller');

const idsOf = (rows: { id: number }[]) => rows.map((row) => row.id).sort((a, b) => a - b);

t.test("a contact sees its own customer and that customer's invoices, nothing else", async (t) => {
  const principal = contactPrincipal(contact);
  t.same(idsOf(await customersVisibleTo(db, principal)), [customers.customer.id], 'its customer alone');
  t.same(
    idsOf(await rowsOwnedByVisibleCustomers(db, principal, 'invoices')),
    [invoices.customer.id],
    "that customer's invoices alone",
  );
  t.same(
    idsOf(await rowsOwnedByVisibleCustomers(db, principal, 'invoices as i').select('i.id')),
    [invoices.customer.id],
    'also under an alias',
  );
  t.equal(
    (await findCustomerFor(db, principal, customers.customer.id))?.id,
    customers.customer.id,
    'findCustomerFor finds its own customer',
  );
  t.equal(await findCustomerFor(db, principal, customers.sibling.id), undefined, 'not a customer of the same reseller');
  t.equal(await findCustomerFor(db, principal, customers.stranger.id), undefined, "nor another reseller's");
});

t.test("reseller staff see their reseller's customers and invoices; admin and support see all", async (t) => {
  t.same(
    idsOf(await customersVisibleTo(db, resellerStaff)),
    [customers.customer.id, customers.sibling.id],
    "reseller staff see their reseller's two customers",
  );
  t.same(
    idsOf(await rowsOwnedByVisibleCustomers(db, resellerStaff, 'invoices')),
    [invoices.customer.id, invoices.sibling.id],
    'and their invoices',
  );
  t.equal(
    await findCustomerFor(db, resellerStaff, customers.stranger.id),
    undefined,
    "but not another reseller's customer",
  );
  for (const principal of [admin, support]) {
    t.same(
      idsOf(await customersVisibleTo(db, principal)),
      idsOf(Object.values(customers)),
      `${principal.role} see every customer`,
    );
    t.same(
      idsOf(await rowsOwnedByVisibleCustomers(db, principal, 'invoices')),
      idsOf(Object.values(invoices)),
      'and every invoice',
    );
  }
});

t.test("can() follows a contact's permissions, and staff may always", async (t) => {
  const viewer = contactPrincipal(contact, { permissions: ['view_invoices'] });
  t.ok(can(viewer, 'view_invoices'), 'a permission the profile grants');
  t.notOk(can(viewer, 'pay'), 'a permission the profile does not grant');
  t.notOk(can(contactPrincipal(contact), 'view_invoices'), 'a contact with no permissions may do none of it');
  for (const permission of permissions) {
    t.ok(can(support, permission), `support may ${permission}`);
    t.ok(can(resellerStaff, permission), `reseller staff may ${permission}`);
  }
});

t.test('actorOf names the staff user, a contact impersonated by staff, or a contact alone', async (t) => {
  t.same(actorOf(support), { userId: support.id }, 'staff acting for themselves');
  const impersonated = actorOf(contactPrincipal(contact, { impersonatedBy: support }));
  t.equal(impersonated.userId, support.id, 'the staff user made the change');
  t.match(impersonated.actingAs, new RegExp(`^contact ${contact.id} \\(pat@customer\\.example\\)$`), 'as the contact');
  const alone = actorOf(contactPrincipal(contact));
  t.equal(alone.userId, null, 'a contact alone is no staff user');
  t.match(alone.actingAs, /pat@customer\.example/, 'but is named as the contact');
});

t.test('the guards: requireStaff by role, requireContact by permission', async (t) => {
  const principals: Record<string, Principal> = {
    admin,
    support,
    viewer: contactPrincipal(contact, { permissions: ['view_invoices'] }),
    payer: contactPrincipal(contact, { permissions: ['pay'] }),
  };
  const app = Fastify();
  t.teardown(() => app.close());
  app.decorateRequest('principal', null);
  // Who the request acts for, named by a header: what the session plugin decides in the app.
  app.addHook('onRequest', async (request) => {
    request.principal = principals[String(request.headers['x-principal'])] ?? null;
  });
  app.get('/settings', { preHandler: [requireStaff('admin')] }, async (request) => staffOf(request).email);
  app.get('/any-staff', { preHandler: [requireStaff()] }, async (request) => staffOf(request).email);
  app.get('/portal/invoices', { preHandler: [requireContact('view_invoices')] }, async (request) =>
    String(contactOf(request).id),
  );
  const status = async (url: string, who?: string) =>
    (await app.inject({ url, headers: who ? { 'x-principal': who } : {} })).statusCode;

  const settings = await app.inject({ url: '/settings', headers: { 'x-principal': 'admin' } });
  t.same([settings.statusCode, settings.body], [200, admin.email], "requireStaff('admin') lets an admin through");
  t.equal(await status('/settings', 'support'), 403, 'and refuses support staff');
  t.equal(await status('/settings', 'viewer'), 403, 'and a contact');
  t.equal(await status('/settings'), 403, 'and nobody');
  t.equal(await status('/any-staff', 'support'), 200, 'requireStaff() lets any staff role through');
  t.equal(await status('/any-staff', 'viewer'), 403, 'but no contact');

  const invoices = await app.inject({ url: '/portal/invoices', headers: { 'x-principal': 'viewer' } });
  t.same(
    [invoices.statusCode, invoices.body],
    [200, String(contact.id)],
    "requireContact('view_invoices') lets a contact with the permission through",
  );
  t.equal(await status('/portal/invoices', 'payer'), 403, 'and refuses a contact without it');
  t.equal(await status('/portal/invoices', 'admin'), 403, 'and staff, even an admin');
  t.equal(await status('/portal/invoices'), 403, 'and nobody');
});
