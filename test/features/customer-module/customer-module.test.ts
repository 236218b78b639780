import t from 'tap';
import type { Db } from '../../../src/db/index.ts';
import { verifyPassword } from '../../../src/lib/password.ts';
import { type Agent, buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

async function customerId(db: Db, name: string): Promise<number> {
  return (await db('customers').where({ name }).first('id')).id;
}

/** A multipart upload the way a browser sends the Documents form (the CSRF token as a form field). */
async function upload(agent: Agent, url: string, file: { name: string; type: string; content: Buffer }, csrf?: string) {
  const page = await agent.get(url);
  const token = csrf ?? /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
  const boundary = '----ledgerdesk-test-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n`),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    file.content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return agent.request({
    method: 'POST',
    url,
    payload,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
}

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

t.test(
  'search finds customers by phone number and effective external customer number; Inventory filters and pages; Recently Viewed lists the last opened',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const agent = await signIn(app, demoUsers.support);
    const names = async (q: string) =>
      [
        ...(await agent.get(`/customers?q=${encodeURIComponent(q)}`)).body.matchAll(
          /<a href="\/customers\/\d+\/open">([^<]+)<\/a>/g,
        ),
      ].map((m) => m[1]);
    t.same(await names('555 0100 231'), ['Acme Plumbing Ltd'], 'the phone number');
    t.same(await names('SL-778'), ['Acme Plumbing Ltd'], "the group's external number");
    t.same(
      await names('bu-100234'),
      ['Baker &amp; Sons Bakery', 'Carla Jensen'],
      "the institution's number, also through a group without one, not for a group with its own",
    );
    t.same(await names('SMH-300'), [], 'an institution number applies to no customer of a similar-named institution');

    const inventory = await agent.get('/customers/inventory?status=active&kind=business');
    t.equal(inventory.statusCode, 200);
    t.match(inventory.body, /Acme Plumbing Ltd/);
    t.notMatch(inventory.body, /Delta Freight Services/, 'a suspended customer is filtered out');
    t.notMatch(inventory.body, /Carla Jensen/, 'a personal account is filtered out');
    const reseller = (await db('resellers').where({ name: 'Northwind Telecom' }).first('id')).id;
    const now = new Date().toISOString();
    await db('customers').insert(
      Array.from({ length: 60 }, (_, i) => ({
        account_number: `LD20000${String(i).padStart(2, '0')}`,
        name: `Zulu Paging ${String(i).padStart(2, '0')}`,
        kind: 'business',
        reseller_id: reseller,
        created_at: now,
        updated_at: now,
      })),
    );
    const first = await agent.get('/customers/inventory?kind=business');
    const next = /href="(\/customers\/inventory\?kind=business&amp;after_name=[^"]+)"/
      .exec(first.body)![1]
      .replace(/&amp;/g, '&');
    const second = await agent.get(next);
    t.match(second.body, /Zulu Paging 59/, 'the next page continues after the last name');
    t.notMatch(second.body, /Acme Plumbing/, 'and does not repeat the first');

    const acme = await customerId(db, 'Acme Plumbing Ltd');
    const frank = await customerId(db, 'Frank Osei');
    await agent.get(`/customers/${frank}`);
    await agent.get(`/customers/${acme}/documents`);
    await agent.get(`/customers/${acme}/notes-that-do-not-exist`);
    const recent = await agent.get('/customers/recent');
    t.same(
      [...recent.body.matchAll(/<a href="\/customers\/\d+\/open">([^<]+)<\/a>/g)].map((m) => m[1]),
      ['Acme Plumbing Ltd', 'Frank Osei'],
      'newest first, each once',
    );
    const other = await signIn(app, demoUsers.admin);
    t.notMatch((await other.get('/customers/recent')).body, /Acme Plumbing/, 'per user');
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

t.test(
  'Customer Information edits and status changes are validated, audited, and shown under Metrics with the access trail',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const acme = await customerId(db, 'Acme Plumbing Ltd');
    const agent = await signIn(app, demoUsers.support);
    const base = `/customers/${acme}`;

    const invalid = await agent.post(base, { name: ' ', email: 'not-an-email', phone: '+1 555 0100 231', version: 1 });
    t.equal(invalid.statusCode, 422);
    t.match(invalid.body, /Enter the customer&#39;s name\.|Enter the customer's name\./);
    t.match(invalid.body, /Enter a valid e-mail address/);
    t.match(invalid.body, /value="not-an-email"/, 'the typed values come back');
    const htmxForm = await agent.get(`${base}/edit`, { htmx: true });
    t.notMatch(htmxForm.body, /<html/, 'htmx gets the form alone');
    t.match(htmxForm.body, /hx-put="\/customers\/\d+"/);

    const saved = await agent.put(
      base,
      {
        name: 'Acme Plumbing & Heating Ltd',
        email: 'office@acme.example',
        phone: '+1 555 0100 231',
        sales_person: 'Pat',
        branch: '',
        is_corporate: 'on',
        version: 1,
      },
      { htmx: true },
    );
    t.equal(saved.statusCode, 204);
    t.equal(saved.headers['hx-redirect'], base);
    const stale = await agent.post(base, { name: 'Old tab', version: 1 });
    t.equal(stale.statusCode, 409, 'a stale edit is refused');
    t.match(stale.body, /Someone else changed this record/);

    const noReason = await agent.post(`${base}/status`, { status: 'suspended', reason: '', version: 2 });
    t.equal(noReason.statusCode, 422);
    t.match(noReason.body, /Say why the status changes/);
    t.match(noReason.body, /<option value="suspended" selected>/, 'the chosen status stays chosen');
    t.equal(
      (await agent.post(`${base}/status`, { status: 'suspended', reason: 'Unpaid for 60 days', version: 2 }))
        .statusCode,
      303,
    );
    t.equal((await db('customers').where({ id: acme }).first()).status, 'suspended');

    const statusPage = await agent.get(`${base}/metrics`);
    t.match(
      statusPage.body,
      /status-active">active<\/span><\/td><td><span class="status status-suspended">suspended<\/span><\/td><td>Unpaid for 60 days<\/td><td>Sam Support/,
    );
    const fields = await agent.get(`${base}/metrics/field-changes`);
    t.match(
      fields.body,
      /<td class="mono">name<\/td><td>Acme Plumbing Ltd<\/td><td>Acme Plumbing &amp; Heating Ltd<\/td>/,
    );
    t.match(fields.body, /<td class="mono">email<\/td>/);
    const trail = await agent.get(`${base}/metrics/access-trail`);
    t.match(
      trail.body,
      /Sam Support <span class="muted small">support@example.com<\/span><\/td><td class="mono small">\/customers\/\d+\/metrics<\/td>/,
      'opening the record is in the access trail',
    );
    t.notMatch(trail.body, /\/edit</, 'htmx fragments are not page views');
    const activity = await agent.get(`${base}/metrics/activity-log`);
    t.match(activity.body, /Customer status changed/);
    t.match(activity.body, /Customer changed<\/strong> \(name, email, sales_person\)/);
    t.equal(
      Number((await db('customer_access').where({ customer_id: acme }).count({ n: '*' }).first())!.n),
      4,
      'one row per page view',
    );
  },
);

t.test('Locations keep exactly one Bill To; Linked Accounts link and unlink child accounts', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await customerId(db, 'Acme Plumbing Ltd');
  const agent = await signIn(app, demoUsers.admin);
  const base = `/customers/${acme}`;
  const invalid = await agent.post(`${base}/locations`, {
    label: 'Yard',
    line1: '',
    city: 'Leeds',
    postal_code: '',
    country: 'XX',
  });
  t.equal(invalid.statusCode, 422);
  t.match(invalid.body, /Enter the street address/);
  t.match(invalid.body, /Choose a country from the list/);
  t.match(invalid.body, /id="label" name="label" type="text" value="Yard"/);
  t.equal(
    (
      await agent.post(`${base}/locations`, {
        label: 'Yard',
        line1: '9 Canal St',
        city: 'Leeds',
        postal_code: 'LS1 1AA',
        country: 'GB',
        is_bill_to: 'on',
      })
    ).statusCode,
    303,
  );
  const billTo = await db('locations').where({ customer_id: acme, is_bill_to: true }).select('label');
  t.same(
    billTo.map((l) => l.label),
    ['Yard'],
    'the new Bill To replaces the old one',
  );
  const headOffice = await db('locations').where({ customer_id: acme, label: 'Head office' }).first();
  const yard = await db('locations').where({ customer_id: acme, label: 'Yard' }).first();
  const unset = await agent.post(`${base}/locations/${yard.id}`, {
    label: 'Yard',
    line1: '9 Canal St',
    city: 'Leeds',
    postal_code: 'LS1 1AA',
    country: 'GB',
    version: yard.version,
  });
  t.equal(unset.statusCode, 422, 'the Bill To cannot just be unticked');
  t.match(unset.body, /A customer needs one Bill To location/);
  t.equal((await agent.post(`${base}/locations/${yard.id}/delete`)).statusCode, 409, 'nor removed');
  t.equal(
    (await agent.post(`${base}/locations/${headOffice.id}/delete`)).statusCode,
    303,
    'another location can be removed',
  );
  t.notOk(await db('locations').where({ id: headOffice.id }).first());

  const fields = await agent.get(`${base}/metrics/field-changes`);
  t.match(
    fields.body,
    /Location <span class="muted">#\d+<\/span><\/td><td class="mono">is_bill_to<\/td><td>true<\/td><td>false<\/td>/,
  );
  t.match((await agent.get(`${base}/metrics/activity-log`)).body, /Location removed/);

  const linkedBefore = await agent.get(`${base}/linked-accounts`);
  t.match(linkedBefore.body, /Baker &amp; Sons Bakery/, 'the demo child account');
  const missing = await agent.post(`${base}/linked-accounts`, { account_number: 'LD9999999' });
  t.equal(missing.statusCode, 422);
  t.match(missing.body, /No account LD9999999 that you can see/);
  t.match(missing.body, /value="LD9999999"/);
  const frank = await db('customers').where({ name: 'Frank Osei' }).first();
  t.match(
    (await agent.post(`${base}/linked-accounts`, { account_number: frank.account_number })).body,
    /Only accounts of the same reseller/,
  );
  const carla = await db('customers').where({ name: 'Carla Jensen' }).first();
  t.equal(
    (await agent.post(`${base}/linked-accounts`, { account_number: carla.account_number.toLowerCase() })).statusCode,
    303,
  );
  t.equal((await db('customers').where({ id: carla.id }).first()).parent_customer_id, acme);
  t.equal((await agent.post(`${base}/linked-accounts/${carla.id}/unlink`)).statusCode, 303);
  t.equal((await db('customers').where({ id: carla.id }).first()).parent_customer_id, null);
  t.equal(
    Number(
      (await db('audit_events')
        .where({ entity: 'customers', entity_id: carla.id, field: 'parent_customer_id' })
        .count({ n: '*' })
        .first())!.n,
    ),
    2,
    'link and unlink are audited on the child',
  );
});

t.test('Communications: notes are added and pinned, letters written from a template keep a copy', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await customerId(db, 'Acme Plumbing Ltd');
  const agent = await signIn(app, demoUsers.support);
  const base = `/customers/${acme}`;
  const empty = await agent.post(`${base}/notes`, { body: '   ', pinned: 'on' });
  t.equal(empty.statusCode, 422);
  t.match(empty.body, /Write the note/);
  t.match(empty.body, /id="pinned" name="pinned" type="checkbox" checked/, 'the box stays ticked');
  t.equal((await agent.post(`${base}/notes`, { body: 'Customer asked for paper invoices.' })).statusCode, 303);
  const note = await db('notes').where({ body: 'Customer asked for paper invoices.' }).first();
  t.equal((await agent.post(`${base}/notes/${note.id}/pin`, { pinned: 'true' })).statusCode, 303);
  t.equal(Number((await db('notes').where({ id: note.id }).first()).pinned), 1);
  t.match(
    (await agent.get(`${base}/account-summary`)).body,
    /Customer asked for paper invoices\./,
    'a pinned note shows on Account Summary',
  );
  const other = await customerId(db, 'Carla Jensen');
  t.equal(
    (await agent.post(`/customers/${other}/notes/${note.id}/pin`, { pinned: 'false' })).statusCode,
    404,
    'a note is reached only through its own customer',
  );

  const started = await agent.get(`${base}/communications/letters?template=welcome`);
  t.match(started.body, /Dear Acme Plumbing Ltd,/);
  t.match(started.body, /Sam Support<\/textarea>/, 'signed by the user');
  const invalid = await agent.post(`${base}/letters`, { template: 'nope', subject: 'Hello', body: '' });
  t.equal(invalid.statusCode, 422);
  t.match(invalid.body, /Write the letter/);
  t.match(invalid.body, /value="Hello"/);
  const written = await agent.post(`${base}/letters`, {
    template: 'welcome',
    subject: 'Welcome aboard',
    body: 'Dear Acme,\nWelcome.',
  });
  t.equal(written.statusCode, 303);
  const copy = await agent.get(written.headers.location as string);
  t.match(copy.body, /Welcome aboard/);
  t.match(copy.body, /Dear Acme,\nWelcome\./);
  const activity = await agent.get(`${base}/metrics/activity-log`);
  t.match(activity.body, /Letter added/);
  t.match(activity.body, /Note changed<\/strong> \(pinned\)/);
  t.match(
    (await agent.get(`${base}/metrics/field-changes`)).body,
    /<td class="mono">pinned<\/td><td>false<\/td><td>true<\/td>/,
  );
});

t.test('Task Tickets are opened, assigned, commented on and closed', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await customerId(db, 'Acme Plumbing Ltd');
  const agent = await signIn(app, demoUsers.reseller);
  const base = `/customers/${acme}`;
  const contosoUser = (await db('users').where({ email: demoUsers.reseller2 }).first('id')).id;
  const invalid = await agent.post(`${base}/tickets`, {
    subject: '',
    description: 'Line drops',
    assignee_user_id: contosoUser,
  });
  t.equal(invalid.statusCode, 422);
  t.match(invalid.body, /Enter a subject/);
  t.match(invalid.body, />Line drops<\/textarea>/);
  const wrongAssignee = await agent.post(`${base}/tickets`, { subject: 'Line drops', assignee_user_id: contosoUser });
  t.equal(wrongAssignee.statusCode, 422, "another reseller's user cannot be assigned");
  t.match(wrongAssignee.body, /Choose someone from the list/);
  const opened = await agent.post(`${base}/tickets`, { subject: 'Line drops', description: '' });
  t.equal(opened.statusCode, 303);
  const ticketUrl = opened.headers.location as string;
  const ticket = await db('tickets').where({ subject: 'Line drops' }).first();
  const me = (await db('users').where({ email: demoUsers.reseller }).first('id')).id;
  t.equal((await agent.post(`${ticketUrl}/assign`, { assignee_user_id: me, version: ticket.version })).statusCode, 303);
  t.equal(
    (await agent.post(`${ticketUrl}/assign`, { assignee_user_id: '', version: ticket.version })).statusCode,
    409,
    'a stale assignment is refused',
  );
  const noComment = await agent.post(`${ticketUrl}/comments`, { body: '' });
  t.equal(noComment.statusCode, 422);
  t.match(noComment.body, /Write the comment/);
  t.equal((await agent.post(`${ticketUrl}/comments`, { body: 'Engineer booked for Tuesday.' })).statusCode, 303);
  t.equal((await agent.post(`${ticketUrl}/close`)).statusCode, 303);
  const page = await agent.get(ticketUrl);
  t.match(page.body, /Engineer booked for Tuesday\./);
  t.match(page.body, /Reopen ticket/);
  t.match((await agent.get(`${base}/tickets?status=closed`)).body, /Line drops/);
  t.notMatch((await agent.get(`${base}/tickets`)).body, /Line drops/, 'closed tickets leave the open list');
  const fields = await agent.get(`${base}/metrics/field-changes`);
  t.match(
    fields.body,
    /Task ticket <span class="muted">#\d+<\/span><\/td><td class="mono">status<\/td><td>open<\/td><td>closed<\/td>/,
  );
  t.match(fields.body, /<td class="mono">assignee_user_id<\/td>/);
  t.match((await agent.get(`${base}/metrics/activity-log`)).body, /Ticket comment added/);
});

t.test('Documents are uploaded within the size and type limits, downloaded and deleted', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await customerId(db, 'Acme Plumbing Ltd');
  const agent = await signIn(app, demoUsers.support);
  const url = `/customers/${acme}/documents`;
  const content = Buffer.from('%PDF-1.4 contract for Acme\n');
  const uploaded = await upload(agent, url, { name: '../Contract 2026.pdf', type: 'application/pdf', content });
  t.equal(uploaded.statusCode, 303);
  const doc = await db('documents').where({ customer_id: acme }).first();
  t.equal(doc.filename, 'Contract 2026.pdf', 'only the base name is kept');
  const download = await agent.get(`${url}/${doc.id}`);
  t.equal(download.statusCode, 200);
  t.equal(download.headers['content-type'], 'application/pdf');
  t.match(download.headers['content-disposition'], /^attachment; filename="Contract 2026.pdf"/);
  t.same(download.rawPayload, content, 'the same bytes come back');

  const script = await upload(agent, url, { name: 'evil.html', type: 'text/html', content: Buffer.from('<script>') });
  t.equal(script.statusCode, 422);
  t.match(script.body, /Files of this type cannot be uploaded/);
  const big = await upload(agent, url, {
    name: 'huge.pdf',
    type: 'application/pdf',
    content: Buffer.alloc(10 * 1024 * 1024 + 1, 1),
  });
  t.equal(big.statusCode, 422);
  t.match(big.body, /The file is larger than 10 MB/);
  const noFile = await upload(agent, url, { name: '', type: 'application/octet-stream', content: Buffer.alloc(0) });
  t.equal(noFile.statusCode, 422);
  t.match(noFile.body, /Choose a file to upload/);
  const forged = await upload(agent, url, { name: 'a.pdf', type: 'application/pdf', content }, 'forged-token');
  t.equal(forged.statusCode, 403, 'a multipart form without the right CSRF token is refused');
  t.equal(Number((await db('documents').count({ n: '*' }).first())!.n), 1);

  t.equal((await agent.post(`${url}/${doc.id}/delete`)).statusCode, 303);
  t.notOk(await db('documents').where({ id: doc.id }).first());
  const activity = await agent.get(`/customers/${acme}/metrics/activity-log`);
  t.match(activity.body, /Document added/);
  t.match(activity.body, /Document removed/);
  t.notOk(
    await db('audit_events').where({ entity: 'documents', field: 'content' }).first(),
    'file contents stay out of the audit log',
  );
});

t.test('Facilities and Alerts: added with validation, removed or cleared, all audited', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await customerId(db, 'Acme Plumbing Ltd');
  const agent = await signIn(app, demoUsers.admin);
  const base = `/customers/${acme}`;
  const invalid = await agent.post(`${base}/facilities`, {
    name: 'Depot T1',
    kind: 'Carrier pigeon',
    circuit_id: 'X-1',
  });
  t.equal(invalid.statusCode, 422);
  t.match(invalid.body, /Choose a type/);
  t.match(invalid.body, /value="Depot T1"/);
  const foreignLocation = (await db('locations').whereNot({ customer_id: acme }).first('id')).id;
  t.match(
    (await agent.post(`${base}/facilities`, { name: 'Depot T1', kind: 'T1', location_id: foreignLocation })).body,
    /Choose one of this customer’s locations/,
  );
  t.equal(
    (await agent.post(`${base}/facilities`, { name: 'Depot T1', kind: 'T1', circuit_id: 'BHM-T1-9' })).statusCode,
    303,
  );
  const facility = await db('facilities').where({ name: 'Depot T1' }).first();
  t.match((await agent.get(`${base}/facilities`)).body, /BHM-T1-9/);
  t.equal((await agent.post(`${base}/facilities/${facility.id}/delete`)).statusCode, 303);

  const noMessage = await agent.post(`${base}/alerts`, { message: '' });
  t.equal(noMessage.statusCode, 422);
  t.match(noMessage.body, /Write the alert/);
  t.equal((await agent.post(`${base}/alerts`, { message: 'Legal hold: do not close.' })).statusCode, 303);
  t.match(
    (await agent.get(`${base}/documents`)).body,
    /Legal hold: do not close\./,
    'the alert shows in the header of other tabs',
  );
  const alert = await db('alerts').where({ message: 'Legal hold: do not close.' }).first();
  t.equal((await agent.post(`${base}/alerts/${alert.id}/clear`)).statusCode, 303);
  t.notMatch((await agent.get(`${base}/documents`)).body, /Legal hold: do not close\./, 'until cleared');
  const activity = await agent.get(`${base}/metrics/activity-log`);
  t.match(activity.body, /Facility added/);
  t.match(activity.body, /Facility removed/);
  t.match(activity.body, /Alert changed<\/strong> \(cleared_at, cleared_by_user_id\)/);
});

t.test(
  'Users: Change Password with validation, and Impersonate Customer opens an audited client facing view',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const acme = await customerId(db, 'Acme Plumbing Ltd');
    const contact = await db('contacts').where({ login: 'acme.admin' }).first();
    const agent = await signIn(app, demoUsers.support);
    const base = `/customers/${acme}`;
    t.match((await agent.get(`${base}/users`)).body, /acme\.admin/);
    const short = await agent.post(`${base}/users/${contact.id}/password`, {
      password: 'short',
      password_confirm: 'short',
    });
    t.equal(short.statusCode, 422);
    t.match(short.body, /The password needs at least 10 characters/);
    t.notMatch(short.body, /value="short"/, 'a password is never sent back');
    const mismatch = await agent.post(`${base}/users/${contact.id}/password`, {
      password: 'a long new password',
      password_confirm: 'another one entirely',
    });
    t.match(mismatch.body, /The two passwords do not match/);
    t.equal(
      (
        await agent.post(`${base}/users/${contact.id}/password`, {
          password: 'a long new password',
          password_confirm: 'a long new password',
        })
      ).statusCode,
      303,
    );
    t.ok(
      await verifyPassword(
        'a long new password',
        (await db('contacts').where({ id: contact.id }).first()).password_hash,
      ),
    );
    t.notOk(
      await db('audit_events')
        .where({ entity: 'contacts', entity_id: contact.id })
        .whereILike('new_value', 'scrypt%')
        .first(),
      'the hash is not logged',
    );

    const impersonate = await agent.post(`${base}/users/${contact.id}/impersonate`);
    t.equal(impersonate.headers.location, '/portal-preview');
    const portal = await agent.get('/portal-preview');
    t.equal(portal.statusCode, 200);
    t.match(portal.body, /you are seeing the client facing view as <span class="mono">acme\.admin<\/span>/);
    t.match(portal.body, /End impersonation/);
    const event = await db('audit_events').where({ action: 'impersonate' }).first();
    t.equal(event.acting_as, 'acme.admin');
    t.equal(event.customer_id, acme);
    const activity = await agent.get(`${base}/metrics/activity-log`);
    t.match(
      activity.body,
      /User impersonated<\/strong>\s*<span class="muted">by Sam Support as <span class="mono">acme\.admin<\/span>/,
    );
    t.match(activity.body, /User password changed/);
    t.equal((await agent.post('/portal-preview/end')).headers.location, `${base}/users`);
    t.equal((await agent.get('/portal-preview')).statusCode, 303, 'the view ends with the impersonation');
    const other = await signIn(app, demoUsers.reseller2);
    t.equal(
      (await other.post(`${base}/users/${contact.id}/impersonate`)).statusCode,
      404,
      'another reseller cannot impersonate',
    );
  },
);
