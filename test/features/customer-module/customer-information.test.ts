import t from 'tap';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';
import { customerId } from '../../helpers/customers.ts';

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
      /<td>Customer account<\/td><td>Name<\/td><td>Acme Plumbing Ltd<\/td><td>Acme Plumbing &amp; Heating Ltd<\/td>/,
      'the record and field in words, not a table name and #id',
    );
    t.match(fields.body, /<td>Email<\/td>/);
    t.notMatch(fields.body, /Customer #|<td[^>]*>sales_person</, 'no table or column names');
    const trail = await agent.get(`${base}/metrics/access-trail`);
    t.match(
      trail.body,
      /Sam Support <span class="muted small">support@example.com<\/span><\/td><td class="mono small">\/customers\/\d+\/metrics<\/td>/,
      'opening the record is in the access trail',
    );
    t.notMatch(trail.body, /\/edit</, 'htmx fragments are not page views');
    const activity = await agent.get(`${base}/metrics/activity-log`);
    t.match(activity.body, /Customer account status changed/);
    t.match(activity.body, /Customer account changed<\/strong> \(Name, Email, Sales person\)/);
    t.equal(
      Number((await db('customer_access').where({ customer_id: acme }).count({ n: '*' }).first())!.n),
      4,
      'one row per page view',
    );
  },
);
