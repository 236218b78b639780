import t from 'tap';
import { nowIso } from '../../../src/lib/dates.ts';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';
import { customerId } from '../../helpers/customers.ts';

t.test('an institution’s and a group’s page show their customer number history: who, when, old, new', async (t) => {
  const { app, db } = await buildTestApp(t);
  const admin = await signIn(app, demoUsers.admin);
  const birmingham = await db('institutions').where({ name: 'Birmingham University' }).first();
  const entry = await db('external_customer_numbers').where({ institution_id: birmingham.id }).first();
  await admin.put(`/external-numbers/${entry.id}`, { number: 'BU-200000', version: entry.version }, { htmx: true });
  await admin.post(`/external-numbers/${entry.id}/delete`);
  const page = await admin.get(`/institutions/${birmingham.id}`);
  t.match(page.body, /<h2 id="number-history-title">Customer number history<\/h2>/);
  t.match(
    page.body,
    /Alex Admin<\/td><td>Deleted<\/td><td class="mono">BU-200000<\/td><td class="mono">—<\/td>[\s\S]*Alex Admin<\/td><td>Changed<\/td><td class="mono">BU-100234<\/td><td class="mono">BU-200000<\/td>/,
    'newest first, with the old and the new number',
  );
  const group = await db('groups')
    .whereNotIn('id', db('external_customer_numbers').whereNotNull('group_id').select('group_id'))
    .first();
  const empty = await admin.get(`/groups/${group.id}`);
  t.match(empty.body, /has had no external customer number yet/);
  const support = await signIn(app, demoUsers.support);
  const created = await support.post('/external-numbers', { kind: 'group', org_id: String(group.id), number: 'GRP-1' });
  t.equal(created.statusCode, 303);
  t.match(
    (await admin.get(`/groups/${group.id}`)).body,
    /Sam Support<\/td><td>Added<\/td><td class="mono">—<\/td><td class="mono">GRP-1<\/td>/,
  );
});

t.test(
  'an admin sees what one staff user changed, newest first, by kind of record and date, a page at a time',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const admin = await signIn(app, demoUsers.admin);
    const support = await db('users').where({ email: demoUsers.support }).first();
    const acme = await customerId(db, 'Acme Plumbing Ltd');
    const events = Array.from({ length: 60 }, (_, i) => ({
      entity: i % 2 ? 'notes' : 'payments',
      entity_id: 1000 + i,
      customer_id: acme,
      action: 'update',
      field: i % 2 ? 'body' : 'paid_on',
      old_value: `old ${i}`,
      new_value: `new ${i}`,
      actor_user_id: support.id,
      at: i < 10 ? '2026-01-05T10:00:00.000Z' : nowIso(),
    }));
    await db('audit_events').insert(events);
    const users = await admin.get('/audit/users');
    t.match(users.body, new RegExp(`href="/audit/users/${support.id}">Sam Support`));
    const first = await admin.get(`/audit/users/${support.id}`);
    t.equal(first.statusCode, 200);
    t.match(first.body, /<h1>Changes by Sam Support<\/h1>/);
    t.match(
      first.body,
      /Note #1059<\/td><td>Changed<\/td><td>Body<\/td><td>old 59<\/td><td>new 59/,
      'newest first, in words',
    );
    t.equal([...first.body.matchAll(/<tr><td class="date">/g)].length, 50, 'a page of 50');
    const next = /href="\?([^"]*before=\d+)"/.exec(first.body)![1].replace(/&amp;/g, '&');
    const second = await admin.get(`/audit/users/${support.id}?${next}`);
    t.equal([...second.body.matchAll(/<tr><td class="date">/g)].length, 10, 'the rest on the next page');
    t.match(second.body, /Payment #1000/);
    t.notMatch(second.body, /Note #1059/);
    const payments = await admin.get(`/audit/users/${support.id}?entity=payments`);
    t.equal([...payments.body.matchAll(/<tr><td class="date">/g)].length, 30, 'one kind of record');
    t.notMatch(payments.body, /Note #/);
    const january = await admin.get(`/audit/users/${support.id}?from=2026-01-01&to=2026-01-05`);
    t.equal([...january.body.matchAll(/<tr><td class="date">/g)].length, 10, 'a date range, its last day included');
    t.equal((await admin.get('/audit/users/999999')).statusCode, 404);
    const supportAgent = await signIn(app, demoUsers.support);
    t.equal((await supportAgent.get(`/audit/users/${support.id}`)).statusCode, 403, 'admins only');
  },
);

t.test('the home counts include the user’s own change at once', async (t) => {
  const { app, db } = await buildTestApp(t);
  const admin = await signIn(app, demoUsers.admin);
  const suspended = async () =>
    Number(/([\d,]+)<\/span><span class="stat-label">Suspended/.exec((await admin.get('/')).body)![1]);
  const before = await suspended();
  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  const changed = await admin.post(`/customers/${acme.id}/status`, {
    status: 'suspended',
    reason: 'Unpaid',
    version: String(acme.version),
  });
  t.equal(changed.statusCode, 303);
  t.equal(await suspended(), before + 1, 'not a minute later');
});
