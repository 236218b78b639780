import t from 'tap';
import type { Db } from '../../../src/db/index.ts';
import { findOrgs, NAME_ORDER_WINDOW } from '../../../src/features/institutions/queries.ts';
import { normaliseName } from '../../../src/lib/names.ts';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

const find = (db: Db, table: string, name: string) => db(table).where({ name }).orderBy('id').first();

t.test(
  'institutions and groups are listed, searched anywhere in the name with accents folded, and paged',
  async (t) => {
    const { app } = await buildTestApp(t);
    const agent = await signIn(app, demoUsers.support);
    const list = await agent.get('/institutions');
    t.equal(list.statusCode, 200);
    t.match(list.body, /<h1>Institutions<\/h1>/);
    t.match(list.body, /Aberdeen Offshore Institute[\s\S]*Birmingham University[\s\S]*BU-100234/);
    t.match(list.body, /St Marys Hospital<\/a> <span class="badge badge-warning">Possible duplicate/);
    const search = await agent.get('/institutions?q=st%20m');
    t.match(search.body, /St\. Mary&#39;s Hospital/);
    t.notMatch(search.body, /Birmingham University/);
    t.match((await agent.get('/institutions?q=zzz')).body, /No institution name contains “zzz”/);
    // Anywhere in the name, accents and punctuation folded (the duplicate case A6 warns about).
    const anywhere = await agent.get('/institutions?q=Hospital');
    t.match(anywhere.body, /St\. Mary&#39;s Hospital[\s\S]*St Marys Hospital/, 'a word inside the name');
    t.match(
      (await agent.get('/institutions?q=mary%27s%20hosp')).body,
      /St\. Mary&#39;s Hospital/,
      'punctuation folded',
    );
    await agent.post('/institutions', { name: 'Café Universitaire' });
    t.match((await agent.get('/institutions?q=cafe')).body, /Café Universitaire/, 'cafe finds Café');
    t.match((await agent.get('/institutions?q=CAFÉ')).body, /Café Universitaire/, 'and Café finds it too');
    const picker = await agent.get('/external-numbers/search?kind=group&q=lab', { htmx: true });
    t.match(picker.body, /Smith Lab/, 'the add dialog’s type-ahead matches inside names too');
    const groups = await agent.get('/groups?q=smith');
    t.match(
      groups.body,
      /Smith Lab[\s\S]*Birmingham University[\s\S]*Smith Lab[\s\S]*Leeds Institute of Technology/,
      'groups show their institution',
    );
    const duplicates = await agent.get('/institutions/duplicates');
    t.match(duplicates.body, /St\. Mary&#39;s Hospital[\s\S]*St Marys Hospital/);
    t.match(
      duplicates.body,
      /No group names look duplicated/,
      'same-named groups at different institutions are not duplicates',
    );
  },
);

t.test(
  'an institution and a group under it are added, audited; a name that folds to an existing one is refused',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const agent = await signIn(app, demoUsers.admin);
    const created = await agent.post('/institutions', { name: '  Plymouth Marine Lab ' });
    t.equal(created.statusCode, 303);
    const institution = await find(db, 'institutions', 'Plymouth Marine Lab');
    t.equal(created.headers.location, `/institutions/${institution.id}`);
    t.equal(institution.name_key, 'plymouthmarinelab');
    t.ok(
      await db('audit_events')
        .where({ entity: 'institutions', entity_id: institution.id, action: 'create', field: 'name' })
        .first(),
    );

    const duplicate = await agent.post('/institutions', { name: 'PLYMOUTH  marine-lab' });
    t.equal(duplicate.statusCode, 422);
    t.match(duplicate.body, /Institution “Plymouth Marine Lab” already has this name/);
    t.match(duplicate.body, /value="PLYMOUTH {2}marine-lab"/);
    const empty = await agent.post('/institutions', { name: ' ' });
    t.equal(empty.statusCode, 422);
    t.match(empty.body, /id="name-error">Enter a name/);

    const form = await agent.get(`/groups/new?institution_id=${institution.id}`);
    t.match(form.body, /Belongs to institution <strong>Plymouth Marine Lab<\/strong>/);
    t.equal((await agent.post('/groups', { name: 'Plankton Unit', institution_id: institution.id })).statusCode, 303);
    const group = await find(db, 'groups', 'Plankton Unit');
    t.equal(group.institution_id, institution.id);
    t.equal(
      (await agent.post('/groups', { name: 'Plankton Unit', institution_id: '' })).statusCode,
      303,
      'the same name with no institution is another group',
    );
    t.equal((await agent.post('/groups', { name: 'plankton unit', institution_id: institution.id })).statusCode, 422);
    t.match((await agent.get(`/institutions/${institution.id}`)).body, /Plankton Unit/);
  },
);

t.test('renaming is audited, refuses a stale edit and a duplicate name', async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.admin);
  const york = await find(db, 'institutions', 'York Heritage Trust');
  const renamed = await agent.post(`/institutions/${york.id}`, {
    name: 'York Heritage Foundation',
    version: york.version,
  });
  t.equal(renamed.statusCode, 303);
  const after = await db('institutions').where('id', york.id).first();
  t.same([after.name, after.name_key, after.version], ['York Heritage Foundation', 'yorkheritagefoundation', 2]);
  const audit = await db('audit_events').where({ entity: 'institutions', entity_id: york.id, field: 'name' }).first();
  t.same([audit.old_value, audit.new_value], ['York Heritage Trust', 'York Heritage Foundation']);

  const stale = await agent.post(`/institutions/${york.id}`, { name: 'York Trust', version: 1 });
  t.equal(stale.statusCode, 409);
  t.match(
    stale.body,
    /renamed this institution to “York Heritage Foundation” after you opened it, so “York Trust” was not saved/,
  );
  t.equal((await db('institutions').where('id', york.id).first()).name, 'York Heritage Foundation');

  const clash = await agent.post(`/institutions/${york.id}`, { name: 'Durham Observatory', version: 2 });
  t.equal(clash.statusCode, 422);
  t.match(clash.body, /value="Durham Observatory"/);
});

t.test('merging an institution moves its customers, groups and number to the survivor, audited', async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.admin);
  const survivor = await find(db, 'institutions', 'St Marys Hospital'); // no number
  const duplicate = await find(db, 'institutions', "St. Mary's Hospital"); // SMH-3001, group Pathology Lab
  const frank = await find(db, 'customers', 'Frank Osei');
  t.equal(frank.institution_id, survivor.id);
  await db('customers').where({ name: 'Greenway Logistics' }).update({ institution_id: duplicate.id });

  const page = await agent.get(`/institutions/${duplicate.id}`);
  t.match(
    page.body,
    /Same name[\s\S]*St Marys Hospital[\s\S]*action="\/institutions\/\d+\/merge"[\s\S]*name="survivor_id" value="\d+"/,
  );
  const response = await agent.post(`/institutions/${duplicate.id}/merge`, { survivor_id: survivor.id });
  t.equal(response.statusCode, 303);
  t.equal(response.headers.location, `/institutions/${survivor.id}`);

  t.equal(await db('institutions').where('id', duplicate.id).first(), undefined);
  t.equal((await find(db, 'customers', 'Greenway Logistics')).institution_id, survivor.id);
  t.equal((await find(db, 'groups', 'Pathology Lab')).institution_id, survivor.id);
  t.equal((await db('external_customer_numbers').where('institution_id', survivor.id).first()).number, 'SMH-3001');
  const events = await db('audit_events').where('actor_user_id', '>', 0).select('entity', 'action', 'field');
  for (const [entity, action, field] of [
    ['customers', 'update', 'institution_id'],
    ['groups', 'update', 'institution_id'],
    ['external_customer_numbers', 'update', 'institution_id'],
    ['institutions', 'delete', 'merged_into'],
  ]) {
    t.ok(
      events.some((e) => e.entity === entity && e.action === action && e.field === field),
      `${entity} ${action} ${field} audited`,
    );
  }
  const after = await agent.get(`/institutions/${survivor.id}`);
  t.match(after.body, /was merged into this institution/);
  t.notMatch(after.body, /Possible duplicate/);
  t.match(
    (await agent.get(`/customers/${frank.id}`)).body,
    /SMH-3001<\/strong> <span class="muted">from institution St Marys Hospital/,
  );
});

t.test("merging a group into one that has its own number keeps the survivor's number", async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.admin);
  const genomics = await find(db, 'groups', 'Genomics Lab'); // GEN-0099
  const smith = await find(db, 'groups', 'Smith Lab'); // SL-7781, Acme is a member
  const acme = await find(db, 'customers', 'Acme Plumbing Ltd');
  const search = await agent.get(`/groups/${smith.id}?merge_q=geno`);
  t.match(search.body, /Genomics Lab[\s\S]*Merge into this one/);
  t.equal((await agent.post(`/groups/${smith.id}/merge`, { survivor_id: genomics.id })).statusCode, 303);
  t.equal((await db('customers').where('id', acme.id).first()).group_id, genomics.id);
  const numbers = await db('external_customer_numbers').whereIn('group_id', [smith.id, genomics.id]);
  t.same(
    numbers.map((n) => n.number),
    ['GEN-0099'],
  );
  t.ok(
    await db('audit_events')
      .where({ entity: 'external_customer_numbers', action: 'delete', old_value: 'SL-7781' })
      .first(),
  );
  t.equal(
    (await agent.post(`/groups/${genomics.id}/merge`, { survivor_id: genomics.id })).statusCode,
    422,
    'not into itself',
  );
});

t.test(
  'a search of three or more characters gives the same rows in name order, inside the window or past it',
  async (t) => {
    const { db } = await buildTestApp(t);
    // Fillers fill the first NAME_ORDER_WINDOW records in name order; the rarer names sort after them.
    const names = [
      ...Array.from({ length: NAME_ORDER_WINDOW + 100 }, (_, i) => `Aardvark Filler ${String(i).padStart(5, '0')}`),
      ...Array.from({ length: 20 }, (_, i) => `Zebra Lab ${String(i).padStart(2, '0')}`),
      'Aardvark Alpha Quokka',
      'Zz Quokka Late',
    ];
    const now = new Date().toISOString();
    const rows = names.map((name) => ({ name, name_key: normaliseName(name), created_at: now }));
    for (let i = 0; i < rows.length; i += 500) await db('groups').insert(rows.slice(i, i + 500));
    const all: { id: number; name_key: string }[] = await db('groups').select('id', 'name_key');
    const expected = (term: string, after?: { nameKey: string; id: number }) =>
      all
        .filter((g) => g.name_key.includes(normaliseName(term)))
        .filter((g) => !after || g.name_key > after.nameKey || (g.name_key === after.nameKey && g.id > after.id))
        .sort((a, b) => a.name_key.localeCompare(b.name_key) || a.id - b.id)
        .slice(0, 15)
        .map((g) => g.id);
    const found = async (term: string, after?: { nameKey: string; id: number }) =>
      (await findOrgs(db, 'group', { term, after, limit: 15 })).map((g) => g.id);

    t.same(await found('filler'), expected('filler'), 'a common term: its first page inside the window');
    t.same(await found('zebra'), expected('zebra'), 'a term found only past the window: the text index answers');
    t.same(await found('quokka'), expected('quokka'), 'one match inside the window, one past it: both, in order');
    t.equal((await found('quokka')).length, 2);
    const last = all.find((g) => g.name_key === normaliseName('Aardvark Filler 00090'))!;
    const after = { nameKey: last.name_key, id: last.id };
    t.same(await found('filler', after), expected('filler', after), 'a later page starts its window at the cursor');
    t.same(await found('absent'), [], 'no match');
  },
);
