import t from 'tap';
import { flushWritesBehind } from '../../../src/db/write-behind.ts';
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
    await flushWritesBehind(db);
    t.equal(
      Number((await db('customer_access').where({ customer_id: acme }).count({ n: '*' }).first())!.n),
      4,
      'one row per page view',
    );
  },
);

t.test(
  'A5: Customer Information puts a customer in an institution and a group, audited, with the effective number',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const carla = await customerId(db, 'Carla Jensen');
    const birmingham = await db('institutions').where({ name: 'Birmingham University' }).first();
    const manchester = await db('institutions').where({ name: 'Manchester Health Trust' }).first();
    const smithLab = await db('groups').where({ name: 'Smith Lab', institution_id: birmingham.id }).first();
    const cardiology = await db('groups').where({ name: 'Cardiology Unit' }).first();
    const support = await signIn(app, demoUsers.support);
    const base = `/customers/${carla}`;
    const version = (await db('customers').where({ id: carla }).first()).version;
    const form = { name: 'Carla Jensen', email: '', phone: '', sales_person: '', branch: '', version };

    const edit = await support.get(`${base}/edit`, { htmx: true });
    t.match(edit.body, /<label for="institution_id">Institution/, 'the form offers an institution');
    t.match(edit.body, /<label for="group_id">Group/, 'and a group');
    t.match(edit.body, /hx-get="\/org-picker\/institutions"/, 'each with a type-ahead');

    const wrongGroup = await support.post(base, { ...form, institution_id: manchester.id, group_id: smithLab.id });
    t.equal(wrongGroup.statusCode, 422, "a group must be one of the institution's");
    t.match(wrongGroup.body, /Smith Lab is not a group of Manchester Health Trust/);
    t.match(wrongGroup.body, new RegExp(`<option value="${manchester.id}" selected>`), 'the form comes back filled in');

    const searched = await support.post(base, { ...form, institution_q: 'manch', institution_id: '', action: 'find' });
    t.equal(searched.statusCode, 200, 'Search without JavaScript narrows the lists');
    t.match(searched.body, /Manchester Health Trust/);
    t.notMatch(searched.body, /<option value="\d+">Birmingham University/);

    const saved = await support.post(base, { ...form, institution_id: birmingham.id, group_id: smithLab.id });
    t.equal(saved.statusCode, 303);
    const page = await support.get(base);
    t.match(page.body, /Customer information saved\. External customer number SL-7781, from group Smith Lab\./);
    t.match(page.body, /<dt>Institution<\/dt><dd><a href="\/institutions\/\d+">Birmingham University<\/a>/);
    const changes = await db('audit_events')
      .where({ entity: 'customers', entity_id: carla, action: 'update' })
      .whereIn('field', ['institution_id', 'group_id'])
      .select('field', 'new_value');
    t.same(changes.map((c) => [c.field, c.new_value]).sort(), [
      ['group_id', String(smithLab.id)],
      ['institution_id', String(birmingham.id)],
    ]);

    const institutionPage = await support.get(`/institutions/${birmingham.id}`);
    t.match(
      institutionPage.body,
      new RegExp(`<a href="/customers/${carla}">Carla Jensen</a>`),
      'the institution lists it',
    );
    t.match(
      (await support.get(`/groups/${smithLab.id}`)).body,
      new RegExp(`<a href="/customers/${carla}">Carla Jensen</a>`),
    );
    t.notMatch((await support.get(`/groups/${cardiology.id}`)).body, /Carla Jensen/);

    // The type-ahead is every staff user's, a reseller's too (they edit their customers).
    const reseller = await signIn(app, demoUsers.reseller);
    const institutions = await reseller.get('/org-picker/institutions?institution_q=manch&institution_id=', {
      htmx: true,
    });
    t.equal(institutions.statusCode, 200);
    t.match(institutions.body, /Manchester Health Trust/);
    t.notMatch(institutions.body, /Birmingham/);
    const groups = await reseller.get(`/org-picker/groups?institution_id=${manchester.id}&group_q=&group_id=`, {
      htmx: true,
    });
    t.match(groups.body, /Cardiology Unit/);
    t.notMatch(groups.body, /Smith Lab/, "a group list holds only the institution's groups");

    const cleared = await support.post(base, {
      ...form,
      version: version + 1,
      institution_id: '',
      group_id: '',
    });
    t.equal(cleared.statusCode, 303);
    t.match((await support.get(base)).body, /No external customer number applies/);
  },
);
