import t from 'tap';
import { type Permission, permissions } from '../../../src/auth/principal.ts';
import { todayIso } from '../../../src/lib/dates.ts';
import { anAutopayConfiguration } from '../../fixtures/billing.ts';
import { aPortalContact } from '../../fixtures/customers.ts';
import { Agent, buildTestApp, csrfTokenIn, demoUsers, signIn } from '../../helpers/app.ts';
import { signInToPortal } from '../../helpers/portal.ts';

async function acmeOf(db: Awaited<ReturnType<typeof buildTestApp>>['db']) {
  return db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
}

t.test('E14: a contact signs in with a new session id, sees its own balance, and signs out', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await acmeOf(db);
  const contact = await aPortalContact(db, acme, { name: 'Pat Payables' });
  const agent = new Agent(app);
  const form = await agent.get('/portal/login');
  t.equal(form.statusCode, 200);
  t.match(form.body, /Forgot your password\?/);
  const wrong = await agent.post('/portal/login', { email: contact.email!, password: 'not the password' });
  t.equal(wrong.statusCode, 422);
  t.match(wrong.body, /do not match an account with access/);
  t.match(wrong.body, new RegExp(`value="${contact.email}"`), 'the e-mail comes back filled in');
  const empty = await agent.post('/portal/login', { email: '', password: '' });
  t.equal(empty.statusCode, 422);
  t.match(empty.body, /Enter your e-mail address/);
  const before = form.cookies.find((c) => c.name === 'ledgerdesk.sid')?.value;
  const ok = await agent.post('/portal/login', { email: contact.email!.toUpperCase(), password: 'demo-password' });
  t.equal(ok.statusCode, 303);
  t.equal(ok.headers.location, '/portal');
  t.not(ok.cookies.find((c) => c.name === 'ledgerdesk.sid')?.value, before, 'the session id is regenerated');
  const home = await agent.get('/portal');
  t.equal(home.statusCode, 200);
  t.match(home.body, /Acme Plumbing Ltd/);
  t.match(home.body, /Welcome, Pat Payables/);
  t.match(home.body, /Total Balance/);
  t.match(home.body, /Pay Selected/);
  t.notMatch(home.body, /aria-label="Main"/, 'no staff menu');
  const noCsrf = await agent.post('/portal/logout', {}, { csrf: false });
  t.equal(noCsrf.statusCode, 403, 'sign-out needs the CSRF token');
  t.equal((await agent.post('/portal/logout', { _csrf: csrfTokenIn(home.body) })).headers.location, '/portal/login');
  const after = await agent.get('/portal');
  t.equal(after.statusCode, 303);
  t.equal(after.headers.location, '/portal/login?next=%2Fportal');
});

t.test(
  'E14: every portal route needs its profile permission; other customers are 404; staff and contacts keep apart',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const acme = await acmeOf(db);
    const invoice = await db('invoices')
      .where({ customer_id: acme.id })
      .where('open_cents', '>', 0)
      .orderBy('id')
      .first();
    const payment = await db('payments').where({ customer_id: acme.id }).orderBy('id').first();
    const scheduled = await db('payments').where({ customer_id: acme.id, status: 'scheduled' }).first();
    const method = await db('payment_methods').where({ customer_id: acme.id }).first();
    const configuration = await anAutopayConfiguration(db, {
      customerId: acme.id,
      paymentMethodId: method.id,
      conditions: [{ trigger: 'age', operator: 'at_least', values: ['30'] }],
    });
    const routes: [string, Permission | null][] = [
      ['/portal', null],
      ['/portal/open-invoices', 'view_invoices'],
      ['/portal/invoices', 'view_invoices'],
      [`/portal/invoices/${invoice.id}`, 'view_invoices'],
      [`/portal/invoices/${invoice.id}/view`, 'view_invoices'],
      ['/portal/transactions', 'view_invoices'],
      [`/portal/transactions/${payment.id}`, 'view_invoices'],
      ['/portal/pending', 'view_invoices'],
      ['/portal/scheduled', 'view_invoices'],
      ['/portal/calendar', 'view_invoices'],
      [`/portal/payments/new?invoice_ids=${invoice.id}`, 'pay'],
      [`/portal/scheduled/${scheduled.id}/reschedule`, 'pay'],
      ['/portal/payment-methods', 'manage_payment_methods'],
      ['/portal/payment-methods/new', 'manage_payment_methods'],
      [`/portal/payment-methods/${method.id}/edit`, 'manage_payment_methods'],
      ['/portal/autopay', 'manage_autopay'],
      ['/portal/autopay/new', 'manage_autopay'],
      [`/portal/autopay/${configuration}/edit`, 'manage_autopay'],
      ['/portal/credits', 'see_credits'],
      ['/portal/statement', 'receive_statements'],
      ['/portal/statement.pdf', 'receive_statements'],
    ];
    const allBut = new Map<Permission, Agent>();
    for (const permission of permissions) {
      const only = await aPortalContact(db, acme, { permissions: [permission] });
      const others = await aPortalContact(db, acme, { permissions: permissions.filter((p) => p !== permission) });
      const withIt = await signInToPortal(app, only.email!);
      const without = await signInToPortal(app, others.email!);
      allBut.set(permission, without);
      for (const [url, needs] of routes) {
        if (needs !== permission) continue;
        t.equal((await withIt.get(url)).statusCode, 200, `${url} with ${permission}`);
        t.equal((await without.get(url)).statusCode, 403, `${url} without ${permission}`);
      }
    }
    const none = await signInToPortal(app, (await aPortalContact(db, acme, { permissions: [] })).email!);
    const home = await none.get('/portal');
    t.equal(home.statusCode, 200, 'the home page needs no permission');
    t.match(home.body, /does not include invoices/);
    t.notMatch(home.body, /Total Balance/);

    const full = await signInToPortal(app, (await aPortalContact(db, acme)).email!);
    const baker = await db('customers').where({ name: 'Baker & Sons Bakery' }).first();
    const bakersInvoice = await db('invoices').where({ customer_id: baker.id }).first();
    const bakersPayment = await db('payments').where({ customer_id: baker.id }).first();
    t.equal((await full.get(`/portal/invoices/${bakersInvoice.id}`)).statusCode, 404, "another customer's invoice");
    t.equal((await full.get(`/portal/invoices/${bakersInvoice.id}/view`)).statusCode, 404);
    if (bakersPayment) t.equal((await full.get(`/portal/transactions/${bakersPayment.id}`)).statusCode, 404);
    const paySomeoneElse = await full.get(`/portal/payments/new?invoice_ids=${bakersInvoice.id}`);
    t.notMatch(paySomeoneElse.body, new RegExp(bakersInvoice.number), "another customer's invoice is not offered");
    t.equal((await full.get('/portal/invoices/abc')).statusCode, 404);

    for (const staffPage of [
      '/',
      '/customers',
      '/search?q=acme',
      '/my-settings',
      `/customers/${acme.id}/billing`,
      `/customers/${acme.id}/contacts`,
    ])
      t.equal((await full.get(staffPage)).statusCode, 403, `a contact is refused ${staffPage}`);

    t.equal((await full.post('/my-settings', {})).statusCode, 403, 'a contact cannot post a staff form either');

    // Every form of the portal: refused without its permission and to staff, before anything changes.
    const forms: [string, Permission][] = [
      ['/portal/payments', 'pay'],
      [`/portal/scheduled/${scheduled.id}`, 'pay'],
      [`/portal/scheduled/${scheduled.id}/cancellation`, 'pay'],
      ['/portal/payment-methods', 'manage_payment_methods'],
      [`/portal/payment-methods/${method.id}`, 'manage_payment_methods'],
      [`/portal/payment-methods/${method.id}/removal`, 'manage_payment_methods'],
      ['/portal/autopay', 'manage_autopay'],
      [`/portal/autopay/${configuration}`, 'manage_autopay'],
      ['/portal/autopay/order', 'manage_autopay'],
      [`/portal/autopay/${configuration}/disable`, 'manage_autopay'],
    ];
    const staff = await signIn(app, demoUsers.admin);
    for (const [url, permission] of forms) {
      t.equal((await allBut.get(permission)!.post(url, {})).statusCode, 403, `${url} without ${permission}`);
      t.equal((await staff.post(url, {})).statusCode, 403, `staff without impersonation: POST ${url}`);
    }
    t.equal((await db('payments').where({ id: scheduled.id }).first()).status, 'scheduled', 'nothing changed');
    t.notOk((await db('payment_methods').where({ id: method.id }).first()).removed_at);

    for (const [url] of routes) t.equal((await staff.get(url)).statusCode, 403, `staff without impersonation: ${url}`);

    // A revoked contact is signed out of every page and every form on its next request.
    const revoked = await aPortalContact(db, acme);
    const revokedAgent = await signInToPortal(app, revoked.email!);
    await db('contacts').where({ id: revoked.id }).update({ access_revoked_at: new Date().toISOString() });
    for (const [url] of routes)
      t.match((await revokedAgent.get(url)).headers.location, /^\/portal\/login\?next=/, `revoked: ${url}`);
    for (const [url] of forms)
      t.match((await revokedAgent.post(url, {})).headers.location, /^\/portal\/login/, `revoked: POST ${url}`);
  },
);

t.test('E3: Revoke Access refuses the next request of a signed-in contact and its sign-in', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await acmeOf(db);
  const contact = await aPortalContact(db, acme);
  const agent = await signInToPortal(app, contact.email!);
  t.equal((await agent.get('/portal/invoices')).statusCode, 200);
  await db('contacts').where({ id: contact.id }).update({ access_revoked_at: new Date().toISOString() });
  const next = await agent.get('/portal/invoices');
  t.equal(next.statusCode, 303);
  t.equal(next.headers.location, '/portal/login?next=%2Fportal%2Finvoices');
  const htmx = await agent.get('/portal/invoices', { htmx: true });
  t.equal(htmx.headers['hx-redirect'], '/portal/login?next=%2Fportal%2Finvoices');
  const again = new Agent(app);
  await again.get('/portal/login');
  t.equal((await again.post('/portal/login', { email: contact.email!, password: 'demo-password' })).statusCode, 422);
});

t.test(
  'E5/E7: Pay Selected from the portal pays two invoices through the ledger, once, audited as the contact',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const acme = await acmeOf(db);
    const contact = await aPortalContact(db, acme, { name: 'Pat Payables' });
    const agent = await signInToPortal(app, contact.email!);
    const pastDue = await db('invoices')
      .where({ customer_id: acme.id })
      .where('due_on', '<', todayIso())
      .where('open_cents', '>', 0)
      .orderBy('id');
    t.equal(pastDue.length, 2);
    const ids = pastDue.map((i) => String(i.id));
    const form = await agent.get(`/portal/payments/new?${ids.map((id) => `invoice_ids=${id}`).join('&')}`);
    t.equal(form.statusCode, 200);
    const key = /name="idempotency_key" value="([^"]+)"/.exec(form.body)![1];
    const method = await db('payment_methods').where({ customer_id: acme.id }).first();
    const total = pastDue.reduce((s, i) => s + i.open_cents, 0);
    const fields = {
      invoice_ids: ids,
      payment_method_id: String(method.id),
      paid_on: todayIso(),
      idempotency_key: key,
    };
    const bad = await agent.post('/portal/payments', { ...fields, amount: 'lots' });
    t.equal(bad.statusCode, 422);
    t.match(bad.body, /value="lots"/, 'the form comes back as typed');
    const ok = await agent.post('/portal/payments', { ...fields, amount: (total / 100).toFixed(2) });
    t.equal(ok.statusCode, 303);
    t.match(ok.headers.location, /^\/portal\/transactions\/\d+$/);
    const again = await agent.post('/portal/payments', { ...fields, amount: (total / 100).toFixed(2) });
    t.equal(again.headers.location, ok.headers.location, 'the same form twice pays once');
    for (const invoice of pastDue) t.equal((await db('invoices').where({ id: invoice.id }).first()).open_cents, 0);
    const payments = await db('payments').where({ idempotency_key: key });
    t.equal(payments.length, 1);
    const audit = await db('audit_events').where({ entity: 'payments', entity_id: payments[0].id }).first();
    t.equal(audit.actor_user_id, null);
    t.match(audit.acting_as, `contact ${contact.id}`);
    const detail = await agent.get(ok.headers.location as string);
    t.match(detail.body, /accepted/);
  },
);

t.test(
  'Impersonate Customer opens the real portal with a banner; writes are audited as staff acting as the contact',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const acme = await acmeOf(db);
    const priya = await db('contacts').where({ login: 'acme.admin' }).first();
    const support = await signIn(app, demoUsers.support);
    const staffUser = await db('users').where({ email: demoUsers.support }).first();
    t.equal((await support.post(`/customers/${acme.id}/users/${priya.id}/impersonate`)).headers.location, '/portal');
    const home = await support.get('/portal');
    t.equal(home.statusCode, 200);
    t.match(home.body, /You are viewing as <strong>Priya Acme<\/strong>/);
    t.match(home.body, /Welcome, Priya Acme/);
    t.equal((await support.get(`/customers/${acme.id}/billing`)).statusCode, 200, 'staff pages stay staff pages');
    const invoice = await db('invoices')
      .where({ customer_id: acme.id })
      .where('due_on', '<', todayIso())
      .where('open_cents', '>', 0)
      .first();
    const method = await db('payment_methods').where({ customer_id: acme.id }).first();
    const form = await support.get(`/portal/payments/new?invoice_ids=${invoice.id}`);
    const key = /name="idempotency_key" value="([^"]+)"/.exec(form.body)![1];
    const paid = await support.post('/portal/payments', {
      invoice_ids: [String(invoice.id)],
      payment_method_id: String(method.id),
      paid_on: todayIso(),
      idempotency_key: key,
      amount: (invoice.open_cents / 100).toFixed(2),
    });
    t.equal(paid.statusCode, 303);
    const payment = await db('payments').where({ idempotency_key: key }).first();
    const audit = await db('audit_events').where({ entity: 'payments', entity_id: payment.id }).first();
    t.equal(audit.actor_user_id, staffUser.id);
    t.match(audit.acting_as, `contact ${priya.id}`);
    t.equal((await support.post('/portal/impersonation/end')).headers.location, `/customers/${acme.id}/users`);
    t.equal((await support.get('/portal')).statusCode, 403);

    const otherReseller = await signIn(app, demoUsers.reseller2);
    t.equal((await otherReseller.post(`/customers/${acme.id}/users/${priya.id}/impersonate`)).statusCode, 404);
  },
);

t.test(
  'E8 in the portal: a contact who may pay reschedules and cancels a scheduled payment; others may not',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const acme = await acmeOf(db);
    const scheduled = await db('payments').where({ customer_id: acme.id, status: 'scheduled' }).first();
    const viewer = await signInToPortal(
      app,
      (await aPortalContact(db, acme, { permissions: ['view_invoices'] })).email!,
    );
    const list = await viewer.get('/portal/scheduled');
    t.equal(list.statusCode, 200);
    t.notMatch(list.body, `/portal/scheduled/${scheduled.id}/reschedule`, 'no actions without pay');
    t.equal((await viewer.get(`/portal/scheduled/${scheduled.id}/reschedule`)).statusCode, 403);
    t.equal((await viewer.post(`/portal/scheduled/${scheduled.id}/cancellation`)).statusCode, 403);

    const payer = await aPortalContact(db, acme);
    const agent = await signInToPortal(app, payer.email!);
    t.match((await agent.get('/portal/scheduled')).body, `/portal/scheduled/${scheduled.id}/reschedule`);
    t.equal((await agent.get(`/portal/scheduled/${scheduled.id}/reschedule`)).statusCode, 200);
    const bad = await agent.post(`/portal/scheduled/${scheduled.id}`, { paid_on: 'someday' });
    t.equal(bad.statusCode, 422);
    t.match(bad.body, /value="someday"/);
    const later = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    t.equal((await agent.post(`/portal/scheduled/${scheduled.id}`, { paid_on: later })).statusCode, 303);
    t.equal((await db('payments').where({ id: scheduled.id }).first()).paid_on, later);
    const baker = await db('customers').where({ name: 'Baker & Sons Bakery' }).first();
    const [other] = await db('payments').where({ customer_id: baker.id });
    if (other) t.equal((await agent.post(`/portal/scheduled/${other.id}/cancellation`)).statusCode, 404);
    t.equal((await agent.post(`/portal/scheduled/${scheduled.id}/cancellation`)).statusCode, 303);
    t.equal((await db('payments').where({ id: scheduled.id }).first()).status, 'cancelled');
    const audit = await db('audit_events')
      .where({ entity: 'payments', entity_id: scheduled.id })
      .orderBy('id', 'desc')
      .first();
    t.match(audit.acting_as, `contact ${payer.id}`, 'audited as the contact');
  },
);
