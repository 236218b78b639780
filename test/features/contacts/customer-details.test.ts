import t from 'tap';
import { aContact, aPortalContact } from '../../fixtures/customers.ts';
import { buildTestApp, csrfTokenIn, demoUsers, signIn } from '../../helpers/app.ts';
import { signInToPortal } from '../../helpers/portal.ts';

type Db = Awaited<ReturnType<typeof buildTestApp>>['db'];

async function acmeOf(db: Db) {
  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  const profiles = await db('contact_profiles').where({ reseller_id: acme.reseller_id }).orderBy('name');
  return { acme, base: `/customers/${acme.id}/contacts`, profiles };
}

t.test('E3 Customer Details: list, search, sort; add with a profile, validation beside the fields, edit', async (t) => {
  const { app, db } = await buildTestApp(t);
  const { acme, base, profiles } = await acmeOf(db);
  const readOnly = profiles.find((p) => p.name === 'Read only');
  await aContact(db, { customer_id: acme.id, name: 'Zed Zimmer', email: 'zed@acme.example' });
  await aContact(db, { customer_id: acme.id, name: 'Abe Archer', email: 'abe@acme.example' });
  const support = await signIn(app, demoUsers.support);

  const list = await support.get(base);
  t.equal(list.statusCode, 200);
  t.match(list.body, /Customer Details/);
  t.ok(list.body.indexOf('Abe Archer') < list.body.indexOf('Zed Zimmer'), 'sorted by name');
  const desc = await support.get(`${base}?sort=name&dir=desc`);
  t.ok(desc.body.indexOf('Zed Zimmer') < desc.body.indexOf('Abe Archer'), 'and the other way');
  t.match(desc.body, /aria-sort="descending"/);
  const search = await support.get(`${base}?q=ZIM`, { htmx: true });
  t.match(search.body, /Zed Zimmer/);
  t.notMatch(search.body, /Abe Archer/);
  t.notMatch(search.body, /<html/, 'htmx gets the list alone');
  t.match((await support.get(`${base}?q=nobody`)).body, /No contact matches/);

  const invalid = await support.post(base, { name: '', email: 'not-an-address', profile_id: String(readOnly.id) });
  t.equal(invalid.statusCode, 422);
  t.match(invalid.body, /id="name-error">Enter the contact’s name\./);
  t.match(invalid.body, /id="email-error">Enter a valid e-mail address/);
  t.match(invalid.body, /value="not-an-address"/, 'the form comes back filled in');
  const added = await support.post(base, {
    name: 'Nina North',
    email: 'Nina@Acme.example',
    profile_id: String(readOnly.id),
    is_billing_contact: 'on',
  });
  t.equal(added.statusCode, 303);
  const nina = await db('contacts').where({ name: 'Nina North' }).first();
  t.match(nina, { email: 'nina@acme.example', profile_id: readOnly.id, customer_id: acme.id });
  t.ok(Number(nina.is_billing_contact));
  t.ok(await db('audit_events').where({ entity: 'contacts', entity_id: nina.id, action: 'create' }).first(), 'audited');
  const page = await support.get(`${base}/${nina.id}`);
  t.match(page.body, /Read only/);
  t.match(page.body, /Revoke Access/);

  const other = await db('customers').where({ name: 'Evergreen Dental Practice' }).first();
  const othersProfile = await db('contact_profiles').where({ reseller_id: other.reseller_id }).first();
  const foreign = await support.post(`${base}/${nina.id}`, {
    name: 'Nina North',
    email: '',
    profile_id: String(othersProfile.id),
    version: String(nina.version),
  });
  t.equal(foreign.statusCode, 404, "another reseller's profile cannot be given");
  const edited = await support.post(`${base}/${nina.id}`, {
    name: 'Nina North-West',
    email: '',
    profile_id: String(readOnly.id),
    version: String(nina.version),
  });
  t.equal(edited.statusCode, 303);
  t.match(await db('contacts').where({ id: nina.id }).first(), { name: 'Nina North-West', email: null });
  t.notOk(Number((await db('contacts').where({ id: nina.id }).first()).is_billing_contact), 'unticked is saved');
});

t.test(
  'E3 roles and tenants: resellers see only their customers and do not edit; contacts pages 404 across customers',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const { acme, base, profiles } = await acmeOf(db);
    const contact = await aContact(db, { customer_id: acme.id, name: 'Ola Own' });
    const reseller = await signIn(app, demoUsers.reseller);
    t.equal((await reseller.get(base)).statusCode, 200);
    t.notMatch((await reseller.get(base)).body, /Add contact<\/a>/);
    t.equal((await reseller.get(`${base}/new`)).statusCode, 403);
    t.equal((await reseller.post(base, { name: 'X', profile_id: String(profiles[0].id) })).statusCode, 403);
    t.equal((await reseller.post(`${base}/${contact.id}/revocation`)).statusCode, 403);
    const otherReseller = await signIn(app, demoUsers.reseller2);
    t.equal((await otherReseller.get(base)).statusCode, 404);
    t.equal((await otherReseller.get(`${base}/${contact.id}`)).statusCode, 404);
    const support = await signIn(app, demoUsers.support);
    const baker = await db('customers').where({ name: 'Baker & Sons Bakery' }).first();
    t.equal(
      (await support.get(`/customers/${baker.id}/contacts/${contact.id}`)).statusCode,
      404,
      'contact of another customer',
    );
    t.equal((await support.post(`/customers/${baker.id}/contacts/${contact.id}/removal`)).statusCode, 404);
  },
);

t.test(
  'E3 Revoke Access ends the contact’s session at once, keeps the contact, and can be undone; Remove deletes',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const { acme, base } = await acmeOf(db);
    const contact = await aPortalContact(db, acme, { name: 'Rita Revoked' });
    const portal = await signInToPortal(app, contact.email!);
    const support = await signIn(app, demoUsers.support);
    const confirm = await support.get(`${base}/${contact.id}/revoke`);
    t.equal(confirm.statusCode, 200, 'a confirmation page without JavaScript');
    t.match(confirm.body, /Revoke Access of Rita Revoked\?/);
    const revoked = await support.post(`${base}/${contact.id}/revocation`, { _csrf: csrfTokenIn(confirm.body) });
    t.equal(revoked.statusCode, 303);
    t.equal((await portal.get('/portal')).statusCode, 303, 'the open portal session is refused');
    const row = await db('contacts').where({ id: contact.id }).first();
    t.ok(row.access_revoked_at, 'the contact stays on the record');
    t.match((await support.get(base)).body, /Access revoked/);
    t.ok(
      await db('audit_events').where({ entity: 'contacts', entity_id: contact.id, field: 'access_revoked_at' }).first(),
    );
    t.equal((await support.post(`${base}/${contact.id}/restoration`)).statusCode, 303);
    t.equal(
      (await signInToPortal(app, contact.email!).then((a) => a.get('/portal'))).statusCode,
      200,
      'access given back',
    );

    t.match((await support.get(`${base}/${contact.id}/remove`)).body, /Remove Rita Revoked\?/);
    t.equal((await support.post(`${base}/${contact.id}/removal`)).statusCode, 303);
    t.notOk(await db('contacts').where({ id: contact.id }).first());
    t.ok(await db('audit_events').where({ entity: 'contacts', entity_id: contact.id, action: 'delete' }).first());
  },
);

t.test('E3 contact profiles: admins and support manage them per reseller, one default, names unique', async (t) => {
  const { app, db } = await buildTestApp(t);
  const { acme } = await acmeOf(db);
  const admin = await signIn(app, demoUsers.admin);
  const list = await admin.get('/contact-profiles');
  t.equal(list.statusCode, 200);
  t.match(list.body, /Accounts payable/);
  t.match(list.body, /Read only/);
  const taken = await admin.post('/contact-profiles', { reseller_id: String(acme.reseller_id), name: 'Read only' });
  t.equal(taken.statusCode, 422);
  t.match(taken.body, /already has a profile of that name/);
  t.equal((await admin.post('/contact-profiles', { reseller_id: String(acme.reseller_id), name: '' })).statusCode, 422);
  const made = await admin.post('/contact-profiles', {
    reseller_id: String(acme.reseller_id),
    name: 'Payers',
    pay: 'on',
    view_invoices: 'on',
    is_default: 'on',
  });
  t.equal(made.statusCode, 303);
  const defaults = await db('contact_profiles').where({ reseller_id: acme.reseller_id, is_default: true });
  t.same(
    defaults.map((p) => p.name),
    ['Payers'],
    'the new default replaces the old',
  );
  t.ok(Number(defaults[0].pay) && !Number(defaults[0].see_credits));
  const edit = await admin.post(`/contact-profiles/${defaults[0].id}`, { name: 'Payers', see_credits: 'on' });
  t.equal(edit.statusCode, 303);
  const saved = await db('contact_profiles').where({ id: defaults[0].id }).first();
  t.ok(!Number(saved.pay) && Number(saved.see_credits), 'unticked permissions are taken away');
  t.equal((await (await signIn(app, demoUsers.reseller)).get('/contact-profiles')).statusCode, 403);
});

t.test(
  'E2 chips: a warning chip while a link is missing; links saved, audited, validated; resellers only look',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const { acme, base } = await acmeOf(db);
    const support = await signIn(app, demoUsers.support);
    const before = await support.get(base);
    t.match(before.body, /Accounting customer not linked/);
    t.match(before.body, /Payment gateway customer not linked/);
    t.match(before.body, /← Back to Customers/);
    const tooLong = await support.post(`/customers/${acme.id}/links`, { accounting_customer_ref: 'x'.repeat(101) });
    t.equal(tooLong.statusCode, 422);
    t.match(tooLong.body, /id="accounting_customer_ref-error">Use at most 100 characters/);
    t.equal(
      (await support.post(`/customers/${acme.id}/links`, { accounting_customer_ref: 'QB-1001' })).statusCode,
      303,
    );
    const after = await support.get(base);
    t.match(
      after.body,
      /class="chip chip-ok"><span class="chip-label">Accounting customer<\/span> <span class="mono">QB-1001/,
    );
    t.match(after.body, /Payment gateway customer not linked/);
    t.ok(
      await db('audit_events')
        .where({ entity: 'customer_links', field: 'accounting_customer_ref', new_value: 'QB-1001' })
        .first(),
    );
    const reseller = await signIn(app, demoUsers.reseller);
    t.notMatch((await reseller.get(base)).body, /Edit linked accounts/);
    t.equal((await reseller.post(`/customers/${acme.id}/links`, { accounting_customer_ref: 'X' })).statusCode, 403);
    t.equal((await (await signIn(app, demoUsers.reseller2)).post(`/customers/${acme.id}/links`, {})).statusCode, 403);
  },
);
