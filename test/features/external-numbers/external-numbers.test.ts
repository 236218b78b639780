import t from 'tap';
import { createDb, type Db } from '../../../src/db/index.ts';
import {
  effectiveExternalNumber,
  effectiveExternalNumbers,
} from '../../../src/features/external-numbers/external-numbers.ts';
import { saveSettings } from '../../../src/features/settings/settings.ts';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

const idOf = async (db: Db, table: string, name: string): Promise<number> =>
  (await db(table).where({ name }).orderBy('id').first('id')).id;
const numberOf = (db: Db, column: 'institution_id' | 'group_id', id: number) =>
  db('external_customer_numbers').where(column, id).first();

t.test('admin and support see both sections with their numbers, and a warning about duplicate names', async (t) => {
  const { app } = await buildTestApp(t);
  for (const email of [demoUsers.admin, demoUsers.support]) {
    const agent = await signIn(app, email);
    const home = await agent.get('/');
    t.match(home.body, /href="\/external-numbers">External Customer Numbers</, 'shown in the navigation');
    const page = await agent.get('/external-numbers');
    t.equal(page.statusCode, 200);
    t.match(page.body, /<h2 id="institution-heading">Institution<\/h2>/);
    t.match(page.body, /<h2 id="group-heading">Groups<\/h2>/);
    t.match(page.body, /Birmingham University[\s\S]*?BU-100234/);
    t.match(page.body, /Smith Lab[\s\S]*?SL-7781/);
    t.match(page.body, /Add a new institution/);
    t.match(page.body, /<dialog id="group-dialog"/);
    t.match(page.body, /1 name is<\/strong>|1 name is shared/, 'the near-duplicate pair is flagged');
    t.match(page.body, /href="\/institutions\/duplicates"/);
  }
});

t.test(
  'the duplicate-name warning is kept between views, yet follows a new, renamed or deleted record at once',
  async (t) => {
    const { app, config } = await buildTestApp(t);
    const agent = await signIn(app, demoUsers.admin);
    const warning = async () =>
      /<strong>(\d+) names? (is|are) shared/.exec((await agent.get('/external-numbers')).body)?.[1];
    t.equal(await warning(), '1', 'the near-duplicate pair');
    t.equal(await warning(), '1', 'the same count, kept');
    // Another process: a connection of its own, as an import or another app process would write.
    const elsewhere = createDb(config.database);
    t.teardown(() => elsewhere.destroy());
    const birmingham = await elsewhere('institutions').where({ name: 'Birmingham University' }).first();
    const [{ id }] = await elsewhere('institutions')
      .insert({ ...birmingham, id: undefined, name: 'Birmingham  University.' })
      .returning('id');
    t.equal(await warning(), '2', 'a new institution with a name already taken counts at once');
    await elsewhere('institutions')
      .where({ id })
      .update({ name: 'Aston Science Park', name_key: 'aston science park' });
    t.equal(await warning(), '1', 'renamed away: counted out at once');
    await elsewhere('institutions').where({ id }).delete();
    t.equal(await warning(), '1', 'deleted: still one');
  },
);

t.test('with the integration switched off the page is neither in the navigation nor reachable', async (t) => {
  const { app, db } = await buildTestApp(t);
  const admin = await db('users').where({ email: demoUsers.admin }).first();
  await saveSettings(db, { userId: admin.id }, { external_billing_enabled: 'false' });
  const agent = await signIn(app, demoUsers.admin);
  t.notMatch((await agent.get('/')).body, /External Customer Numbers/);
  t.equal((await agent.get('/external-numbers')).statusCode, 404);
  t.equal((await agent.get('/external-numbers/search?kind=institution&q=bi', { htmx: true })).statusCode, 404);
  const customer = await agent.get(`/customers/${await idOf(db, 'customers', 'Acme Plumbing Ltd')}`);
  t.notMatch(customer.body, /External customer number/, 'customer pages do not show it either');
});

t.test('a reseller user is refused every route of the feature', async (t) => {
  const { app, db } = await buildTestApp(t);
  const entry = await numberOf(db, 'institution_id', await idOf(db, 'institutions', 'Birmingham University'));
  const institution = await idOf(db, 'institutions', 'Birmingham University');
  const group = await idOf(db, 'groups', 'Smith Lab');
  const agent = await signIn(app, demoUsers.reseller);
  t.notMatch((await agent.get('/')).body, /External Customer Numbers|href="\/institutions"/);
  const requests: [string, string][] = [
    ['GET', '/external-numbers'],
    ['GET', '/external-numbers/new?kind=group'],
    ['GET', '/external-numbers/search?kind=institution&q=bir'],
    ['POST', '/external-numbers'],
    ['GET', `/external-numbers/${entry.id}`],
    ['GET', `/external-numbers/${entry.id}/edit`],
    ['PUT', `/external-numbers/${entry.id}`],
    ['POST', `/external-numbers/${entry.id}`],
    ['GET', `/external-numbers/${entry.id}/delete`],
    ['DELETE', `/external-numbers/${entry.id}`],
    ['POST', `/external-numbers/${entry.id}/delete`],
    ['GET', '/institutions'],
    ['GET', '/institutions/duplicates'],
    ['GET', '/institutions/new'],
    ['POST', '/institutions'],
    ['GET', `/institutions/${institution}`],
    ['POST', `/institutions/${institution}`],
    ['POST', `/institutions/${institution}/merge`],
    ['GET', '/groups'],
    ['GET', '/groups/new'],
    ['POST', '/groups'],
    ['GET', `/groups/${group}`],
    ['POST', `/groups/${group}`],
    ['POST', `/groups/${group}/merge`],
  ];
  for (const [method, url] of requests) {
    const response =
      method === 'GET'
        ? await agent.get(url)
        : await agent.send(method as 'POST', url, {
            number: 'X-1',
            name: 'X',
            version: 1,
            kind: 'institution',
            org_id: institution,
            survivor_id: institution,
          });
    t.ok([403, 404].includes(response.statusCode), `${method} ${url} answers ${response.statusCode}`);
  }
  t.equal((await db('external_customer_numbers').where('id', entry.id).first()).number, 'BU-100234', 'nothing changed');
  t.equal(
    await db('institutions')
      .where('id', institution)
      .first()
      .then((r) => r.name),
    'Birmingham University',
  );
});

t.test(
  'the type-ahead needs two characters, then lists matching names and marks those that have a number',
  async (t) => {
    const { app } = await buildTestApp(t);
    const agent = await signIn(app, demoUsers.support);
    const short = await agent.get('/external-numbers/search?kind=institution&q=b', { htmx: true });
    t.equal(short.statusCode, 200);
    t.match(short.body, /once you have typed two characters/);
    t.notMatch(short.body, /<li>/, 'no results under two characters');
    t.notMatch(short.body, /<html/, 'htmx gets the result list alone');

    const results = await agent.get('/external-numbers/search?kind=institution&q=ca', { htmx: true });
    t.match(
      results.body,
      /href="\/external-numbers\/new\?kind=institution&amp;id=\d+"[^>]*><span>Cambridge Research Park/,
    );
    t.match(results.body, /Cardiff Maritime College/);
    t.notMatch(results.body, /Birmingham/);

    const taken = await agent.get('/external-numbers/search?kind=institution&q=Birm', { htmx: true });
    t.match(taken.body, /picker-taken"><span>Birmingham University<\/span> <span class="badge">Has number BU-100234/);
    t.notMatch(taken.body, /id=\d+"[^>]*><span>Birmingham University/, 'a name that has a number cannot be picked');

    const groups = await agent.get('/external-numbers/search?kind=group&q=st%20m', { htmx: true });
    t.match(groups.body, /No group name contains/);
    const lab = await agent.get('/external-numbers/search?kind=group&q=path', { htmx: true });
    t.match(
      lab.body,
      /Pathology Lab <span class="muted small">· St. Mary&#39;s Hospital/,
      'groups show their institution',
    );

    const page = await agent.get('/external-numbers/search?kind=institution&q=ca');
    t.match(
      page.body,
      /<h1>Add a new institution<\/h1>[\s\S]*Cambridge Research Park/,
      'without htmx it is a page of its own',
    );
  },
);

t.test(
  'a number is added for an institution with a plain form and for a group through the pop-up, audited',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const agent = await signIn(app, demoUsers.admin);
    const cambridge = await idOf(db, 'institutions', 'Cambridge Research Park');

    const picked = await agent.get(`/external-numbers/new?kind=institution&id=${cambridge}`);
    t.match(picked.body, /Selected institution<\/span>\s*<strong>Cambridge Research Park<\/strong>/);
    t.match(picked.body, /<label for="institution-number">Customer Number<\/label>/);
    t.match(picked.body, />Create External Customer Info</);

    const created = await agent.post('/external-numbers', {
      kind: 'institution',
      org_id: cambridge,
      number: '  CRP-0001 ',
    });
    t.equal(created.statusCode, 303);
    t.equal(created.headers.location, '/external-numbers');
    const row = await numberOf(db, 'institution_id', cambridge);
    t.equal(row.number, 'CRP-0001', 'trimmed');
    t.match((await agent.get('/external-numbers')).body, /Customer number CRP-0001 added for Cambridge Research Park/);
    const audit = await db('audit_events').where({
      entity: 'external_customer_numbers',
      entity_id: row.id,
      action: 'create',
    });
    t.same(audit.map((e) => [e.field, e.new_value]).sort(), [
      ['institution_id', String(cambridge)],
      ['number', 'CRP-0001'],
    ]);

    const robotics = await idOf(db, 'groups', 'Robotics Group');
    const fragment = await agent.get(`/external-numbers/new?kind=group&id=${robotics}`, { htmx: true });
    t.notMatch(fragment.body, /<html/);
    t.match(fragment.body, /hx-post="\/external-numbers" hx-target="#group-picker"/);
    const viaHtmx = await agent.post(
      '/external-numbers',
      { kind: 'group', org_id: robotics, number: 'ROB-9' },
      { htmx: true },
    );
    t.equal(viaHtmx.statusCode, 200);
    t.equal(viaHtmx.headers['hx-retarget'], '#group-section');
    t.equal(viaHtmx.headers['hx-reswap'], 'outerHTML');
    t.match(viaHtmx.body, /^<section class="card ecn-section" id="group-section"/);
    t.match(viaHtmx.body, /Robotics Group[\s\S]*?ROB-9/);
    t.match(viaHtmx.body, /Customer number ROB-9 added for Robotics Group/);
    t.equal((await numberOf(db, 'group_id', robotics)).number, 'ROB-9');
  },
);

t.test('a second number for the same institution or group is refused', async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.admin);
  const smithLab = await idOf(db, 'groups', 'Smith Lab');
  const response = await agent.post(
    '/external-numbers',
    { kind: 'group', org_id: smithLab, number: 'SL-NEW' },
    { htmx: true },
  );
  t.equal(response.statusCode, 422);
  t.match(response.body, /Group <strong>Smith Lab<\/strong> already has customer number <strong class="mono">SL-7781/);
  t.equal((await db('external_customer_numbers').where('group_id', smithLab)).length, 1);
  t.equal((await numberOf(db, 'group_id', smithLab)).number, 'SL-7781');
  const picked = await agent.get(`/external-numbers/new?kind=group&id=${smithLab}`);
  t.match(picked.body, /already has customer number <strong class="mono">SL-7781/);
  t.notMatch(picked.body, /Create External Customer Info/);
});

t.test('validation errors show beside the field and keep the typed value', async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.admin);
  const cambridge = await idOf(db, 'institutions', 'Cambridge Research Park');
  const cases: [string, RegExp][] = [
    ['   ', /Enter the customer number/],
    ['x'.repeat(65), /at most 64 characters/],
    ['CRP<script>', /Use letters, digits, spaces/],
  ];
  for (const [number, message] of cases) {
    const response = await agent.post('/external-numbers', { kind: 'institution', org_id: cambridge, number });
    t.equal(response.statusCode, 422);
    t.match(response.body, message);
    t.match(response.body, /id="institution-number-error"/);
    t.match(response.body, /aria-invalid="true"/);
  }
  const kept = await agent.post('/external-numbers', { kind: 'institution', org_id: cambridge, number: 'CRP<b>' });
  t.match(kept.body, /value="CRP&lt;b&gt;"/, 'the typed value comes back, escaped');
  t.equal(await numberOf(db, 'institution_id', cambridge), undefined);

  const entry = await numberOf(db, 'institution_id', await idOf(db, 'institutions', 'Birmingham University'));
  const edit = await agent.put(
    `/external-numbers/${entry.id}`,
    { number: 'BU 1 ~', version: entry.version },
    { htmx: true },
  );
  t.equal(edit.statusCode, 422);
  t.match(edit.body, /^<tr id="ecn-\d+" class="editing" data-inline-edit>/);
  t.match(edit.body, /value="BU 1 ~"/);
  t.match(edit.body, /Use letters, digits, spaces/);
  t.equal((await numberOf(db, 'institution_id', entry.institution_id)).number, 'BU-100234');
});

t.test('the pencil gives the editing row, saving gives the display row, and the change is audited', async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.support);
  const entry = await numberOf(db, 'institution_id', await idOf(db, 'institutions', 'Birmingham University'));

  const editing = await agent.get(`/external-numbers/${entry.id}/edit`, { htmx: true });
  t.equal(editing.statusCode, 200);
  t.match(editing.body, /data-inline-edit/);
  t.match(editing.body, /hx-put="\/external-numbers\/\d+"/);
  t.match(editing.body, /name="number" value="BU-100234"/);
  t.match(editing.body, /name="version" value="1"/);
  t.match(editing.body, /aria-label="Save Birmingham University"/, 'icon buttons name their object');
  t.match(editing.body, /data-discard aria-label="Discard changes to Birmingham University"/);
  const plainEdit = await agent.get(`/external-numbers/${entry.id}/edit`);
  t.match(
    plainEdit.body,
    /<h1>Edit customer number<\/h1>[\s\S]*method="post" action="\/external-numbers\/\d+"/,
    'a page of its own without htmx',
  );

  const saved = await agent.put(`/external-numbers/${entry.id}`, { number: 'BU-200000', version: 1 }, { htmx: true });
  t.equal(saved.statusCode, 200);
  t.match(saved.body, /^<tr id="ecn-\d+">/);
  t.match(saved.body, /<td class="mono">BU-200000<\/td>/);
  t.match(saved.body, /aria-label="Edit Birmingham University" title="Edit" autofocus>/, 'focus returns to the pencil');
  t.match(saved.body, /aria-label="Delete Birmingham University"/);
  t.notMatch((await agent.get('/external-numbers')).body, /autofocus/, 'the page itself takes no focus');
  const after = await db('external_customer_numbers').where('id', entry.id).first();
  t.equal(after.number, 'BU-200000');
  t.equal(after.version, 2);
  const audit = await db('audit_events')
    .where({ entity: 'external_customer_numbers', entity_id: entry.id, action: 'update' })
    .first();
  t.same([audit.field, audit.old_value, audit.new_value], ['number', 'BU-100234', 'BU-200000']);

  const discard = await agent.get(`/external-numbers/${entry.id}`, { htmx: true });
  t.match(discard.body, /<td class="mono">BU-200000<\/td>/, 'discard gives the display row back');
  t.match(discard.body, /title="Edit" autofocus>/, 'with focus on its pencil');

  const plain = await agent.post(`/external-numbers/${entry.id}`, { number: 'BU-300000', version: 2 });
  t.equal(plain.statusCode, 303, 'a plain form saves with POST and comes back to the list');
  t.equal((await db('external_customer_numbers').where('id', entry.id).first()).number, 'BU-300000');
});

t.test('a stale edit is refused with the current value and a message', async (t) => {
  const { app, db } = await buildTestApp(t);
  const first = await signIn(app, demoUsers.admin);
  const second = await signIn(app, demoUsers.support);
  const entry = await numberOf(db, 'group_id', await idOf(db, 'groups', 'Smith Lab'));
  await first.get(`/external-numbers/${entry.id}/edit`, { htmx: true });
  await second.get(`/external-numbers/${entry.id}/edit`, { htmx: true });
  t.equal(
    (await first.put(`/external-numbers/${entry.id}`, { number: 'SL-FIRST', version: 1 }, { htmx: true })).statusCode,
    200,
  );
  const stale = await second.put(`/external-numbers/${entry.id}`, { number: 'SL-SECOND', version: 1 }, { htmx: true });
  t.equal(stale.statusCode, 409);
  t.match(stale.body, /data-inline-edit/);
  t.match(stale.body, /changed this number to “SL-FIRST” after you opened it, so “SL-SECOND” was not saved/);
  t.match(stale.body, /name="number" value="SL-FIRST"/);
  t.match(stale.body, /name="version" value="2"/, 'saving again is a deliberate overwrite');
  t.equal((await db('external_customer_numbers').where('id', entry.id).first()).number, 'SL-FIRST');
});

t.test('the trash can deletes: an empty answer for htmx, a redirect for a plain form, both audited', async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.admin);
  const smith = await numberOf(db, 'group_id', await idOf(db, 'groups', 'Smith Lab'));
  const page = await agent.get('/external-numbers');
  t.match(
    page.body,
    new RegExp(
      `hx-delete="/external-numbers/${smith.id}"[^>]*\\s+hx-confirm="Delete customer number SL-7781 of Smith Lab\\?"`,
    ),
  );
  const viaHtmx = await agent.delete(`/external-numbers/${smith.id}`, {}, { htmx: true });
  t.equal(viaHtmx.statusCode, 200);
  t.equal(viaHtmx.body, '');
  t.equal(await db('external_customer_numbers').where('id', smith.id).first(), undefined);
  const audit = await db('audit_events').where({
    entity: 'external_customer_numbers',
    entity_id: smith.id,
    action: 'delete',
  });
  t.ok(audit.some((e) => e.field === 'number' && e.old_value === 'SL-7781'));

  const genomics = await numberOf(db, 'group_id', await idOf(db, 'groups', 'Genomics Lab'));
  t.match(
    (await agent.get(`/external-numbers/${genomics.id}/delete`)).body,
    /Delete customer number <strong class="mono">GEN-0099<\/strong> of group <strong>Genomics Lab/,
    'without JavaScript a page asks first',
  );
  const plain = await agent.post(`/external-numbers/${genomics.id}/delete`);
  t.equal(plain.statusCode, 303);
  t.equal(plain.headers.location, '/external-numbers');
  t.equal(await db('external_customer_numbers').where('id', genomics.id).first(), undefined);
  t.equal((await agent.delete(`/external-numbers/${genomics.id}`, {}, { htmx: true })).statusCode, 404);
});

t.test('the effective number: the group beats the institution, the institution applies alone, else none', async (t) => {
  const { app, db } = await buildTestApp(t);
  const customer = (name: string) => db('customers').where({ name }).first();
  const acme = await customer('Acme Plumbing Ltd'); // Birmingham University + Smith Lab
  const baker = await customer('Baker & Sons Bakery'); // Birmingham University only
  const carla = await customer('Carla Jensen'); // Physics Department (no number), of Birmingham University
  const evergreen = await customer('Evergreen Dental Practice'); // Manchester Health Trust + Cardiology Unit (no number)
  const frank = await customer('Frank Osei'); // St Marys Hospital: the duplicate without a number
  const delta = await customer('Delta Freight Services'); // neither

  t.same(await effectiveExternalNumber(db, acme), { number: 'SL-7781', source: 'group', sourceName: 'Smith Lab' });
  t.same(await effectiveExternalNumber(db, baker), {
    number: 'BU-100234',
    source: 'institution',
    sourceName: 'Birmingham University',
  });
  t.same(
    await effectiveExternalNumber(db, carla),
    { number: 'BU-100234', source: 'institution', sourceName: 'Birmingham University' },
    "through the group's institution",
  );
  t.same(await effectiveExternalNumber(db, evergreen), {
    number: 'MHT 5521',
    source: 'institution',
    sourceName: 'Manchester Health Trust',
  });
  t.equal(await effectiveExternalNumber(db, frank), null);
  t.equal(await effectiveExternalNumber(db, delta), null);

  const all = await db('customers').select('id', 'institution_id', 'group_id');
  const batch = await effectiveExternalNumbers(db, all);
  t.equal(batch.size, all.length);
  t.equal(batch.get(acme.id)?.number, 'SL-7781');
  t.equal(batch.get(delta.id), null);

  const agent = await signIn(app, demoUsers.reseller);
  const page = await agent.get(`/customers/${acme.id}`);
  t.match(page.body, /External customer number[\s\S]*SL-7781<\/strong> <span class="muted">from group Smith Lab/);
  const none = await agent.get(`/customers/${delta.id}`);
  t.match(none.body, /None: neither this customer's group nor institution has an external customer number\./);
  t.notMatch(none.body, /add one/, 'a reseller is not offered the admin page');
});
