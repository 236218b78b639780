import t from 'tap';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';
import { customerId } from '../../helpers/customers.ts';

const tabPaths = [
  '/account-summary',
  '',
  '/locations',
  '/linked-accounts',
  '/communications',
  '/communications/letters',
  '/tickets',
  '/documents',
  '/facilities',
  '/orders',
  '/billing',
  '/billing/transactions',
  '/products',
  '/alerts',
  '/users',
  '/metrics',
  '/metrics/field-changes',
  '/metrics/access-trail',
  '/metrics/activity-log',
  '/additional-information',
];

t.test(
  'every tab of a customer renders for admin and support, with the header, and is a 404 for another reseller',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const acme = await customerId(db, 'Acme Plumbing Ltd');
    for (const email of [demoUsers.admin, demoUsers.support, demoUsers.reseller]) {
      const agent = await signIn(app, email);
      for (const path of tabPaths) {
        const response = await agent.get(`/customers/${acme}${path}`);
        t.equal(response.statusCode, 200, `${email} opens ${path || 'Customer Information'}`);
        t.match(response.body, /<h1>Acme Plumbing Ltd<\/h1>/);
        t.match(
          response.body,
          new RegExp(
            `href="/customers/${acme}/billing/transactions"><span class="balance-label">Balance</span> <span class="balance-value">\\$[\\d,]+\\.\\d\\d`,
          ),
          'the Balance links to Transactions',
        );
        t.match(response.body, /Edit Bill To/);
        t.match(response.body, /Verify identity with the account PIN/, 'the alert shows on every tab');
      }
    }
    // The header reads the Bill To row once; the two tabs that show its address take it from there.
    const billTo = await db('locations').where({ customer_id: acme, is_bill_to: true }).first();
    const staff = await signIn(app, demoUsers.support);
    for (const path of ['/account-summary', '']) {
      const body = (await staff.get(`/customers/${acme}${path}`)).body;
      t.match(
        body,
        `<address class="address">\n  ${billTo.line1}<br>`,
        `${path || 'Customer Information'} shows the Bill To address`,
      );
    }
    const other = await signIn(app, demoUsers.reseller2);
    for (const path of [
      ...tabPaths,
      '/edit',
      '/open',
      '/locations/1/edit',
      '/tickets/1',
      '/letters/1',
      '/documents/1',
      '/users/1/password',
    ]) {
      t.equal(
        (await other.get(`/customers/${acme}${path}`)).statusCode,
        404,
        `another reseller gets 404 on ${path || 'Customer Information'}`,
      );
    }
    for (const [path, form] of [
      ['/notes', { body: 'x' }],
      ['/status', { status: 'closed', reason: 'x', version: 1 }],
      ['/alerts', { message: 'x' }],
      ['/locations', {}],
      ['/tickets', { subject: 'x' }],
    ] as const) {
      t.equal(
        (await other.post(`/customers/${acme}${path}`, form)).statusCode,
        404,
        `another reseller cannot post to ${path}`,
      );
    }
    t.equal(
      await db('notes')
        .where({ body: 'x' })
        .count({ n: '*' })
        .first()
        .then((r) => Number(r!.n)),
      0,
      'nothing was written',
    );
    const baker = await customerId(db, 'Baker & Sons Bakery');
    const admin = await signIn(app, demoUsers.admin);
    t.equal(
      (await admin.get(`/customers/${baker}/linked-accounts`)).statusCode,
      404,
      'Linked Accounts exists only on corporate accounts',
    );
    t.notMatch((await admin.get(`/customers/${baker}`)).body, />Linked Accounts</, 'and its tab shows only there');
    t.match((await admin.get(`/customers/${acme}`)).body, />Linked Accounts</);
  },
);

t.test('opening a customer lands on the tab chosen in My settings', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await customerId(db, 'Acme Plumbing Ltd');
  const agent = await signIn(app, demoUsers.support);
  t.equal(
    (await agent.get(`/customers/${acme}/open`)).headers.location,
    `/customers/${acme}/account-summary`,
    'Account Summary by default',
  );
  const bad = await agent.post('/my-settings', { landing_tab: 'metrics' });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, /Choose the tab to land on/);
  t.equal((await agent.post('/my-settings', { landing_tab: 'communications' })).statusCode, 303);
  t.match((await agent.get('/my-settings')).body, /value="communications" checked/);
  t.equal((await agent.get(`/customers/${acme}/open`)).headers.location, `/customers/${acme}/communications`);
  t.equal(
    (await db('audit_events').where({ entity: 'users', field: 'landing_tab' }).first()).new_value,
    'communications',
    'the change is audited',
  );
});
