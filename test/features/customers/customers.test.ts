import t from 'tap';
import type { Db } from '../../../src/db/index.ts';
import { verifyPassword } from '../../../src/lib/password.ts';
import { type Agent, buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

const step1 = { kind: 'business', sales_person: 'Pat Seller', branch: 'Leeds' };
const step2 = {
  name: 'Harbour Lights Cafe',
  line1: '12 Quay Street',
  line2: '',
  city: 'Bristol',
  region: 'Avon',
  postal_code: 'BS1 4DJ',
  country: 'GB',
  email: 'Owner@HarbourLights.example',
  phone: '+44 117 496 0000',
};
const step3 = { custom_account_id: '  CRM-4411  ' };
const step4 = { login: 'harbour.admin', password: 'correct horse battery', password_confirm: 'correct horse battery' };

/** Walks steps 1–3 with good values and returns the draft's base URL (/customers/new/:id). */
async function walkToLastStep(
  agent: Agent,
  first: Record<string, string> = step1,
  third: Record<string, string> = step3,
) {
  const started = await agent.post('/customers/new', { ...first, action: 'next' });
  if (started.statusCode !== 303)
    throw new Error(`step 1 answered ${started.statusCode}: ${started.body.slice(0, 500)}`);
  const base = started.headers.location!.replace(/\/contact-details$/, '');
  await agent.post(`${base}/contact-details`, { ...step2, action: 'next' });
  const third303 = await agent.post(`${base}/account-id`, { ...third, action: 'next' });
  if (third303.headers.location !== `${base}/administrator`) throw new Error(`step 3 answered ${third303.statusCode}`);
  return base;
}

async function idOf(db: Db, table: string, where: Record<string, unknown>): Promise<number> {
  return (await db(table).where(where).first('id')).id;
}

t.test('the customer list finds customers by name, account number, e-mail and Custom Account ID', async (t) => {
  const { app, db } = await buildTestApp(t);
  await db('customers').where({ name: 'Baker & Sons Bakery' }).update({ custom_account_id: 'ERP-77120' });
  const agent = await signIn(app, demoUsers.support);
  const names = async (q: string, htmx = false) => {
    const response = await agent.get(`/customers?q=${encodeURIComponent(q)}`, { htmx });
    t.equal(response.statusCode, 200);
    return [...response.body.matchAll(/<a href="\/customers\/\d+\/open">([^<]+)<\/a>/g)].map((m) => m[1]);
  };
  t.same(await names('plumb'), ['Acme Plumbing Ltd'], 'a part of the name, any case');
  t.same(await names('LD0000006'), ['Frank Osei'], 'the account number');
  t.same(await names('0000006'), ['Frank Osei'], 'the account number without its letters');
  t.same(await names('greenwaylogistics.example'), ['Greenway Logistics'], 'the e-mail');
  t.same(await names('erp-771'), ['Baker &amp; Sons Bakery'], 'the Custom Account ID');
  t.same(await names('ca'), ['Carla Jensen'], 'two characters find names that start with them');
  t.same(await names('zzqx'), [], 'nothing for an absent term');
  t.match((await agent.get('/customers?q=c')).body, /Type at least two characters/);
  t.match((await agent.get('/customers?q=zzqx')).body, /No customer matches “zzqx”/);
  const fragment = await agent.get('/customers?q=plumb', { htmx: true });
  t.notMatch(fragment.body, /<html/, 'htmx gets the results alone');
  t.match(fragment.body, /Acme Plumbing Ltd/);
  t.match(
    (await agent.get('/search?q=erp-77120')).body,
    /Baker &amp; Sons Bakery/,
    'the top-bar search finds the Custom Account ID too',
  );
});

t.test('the customer list pages through long results', async (t) => {
  const { app, db } = await buildTestApp(t);
  const reseller = await db('resellers').where({ name: 'Northwind Telecom' }).first();
  const now = new Date().toISOString();
  await db('customers').insert(
    Array.from({ length: 30 }, (_, i) => ({
      account_number: `LD10000${String(i).padStart(2, '0')}`,
      name: `Paging Test ${String(i).padStart(2, '0')}`,
      kind: 'business',
      reseller_id: reseller.id,
      created_at: now,
      updated_at: now,
    })),
  );
  const agent = await signIn(app, demoUsers.reseller);
  const first = await agent.get('/customers?q=paging');
  t.equal([...first.body.matchAll(/Paging Test/g)].length, 25);
  t.match(first.body, /href="\/customers\?q=paging&amp;page=2"/);
  const second = await agent.get('/customers?q=paging&page=2');
  t.equal([...second.body.matchAll(/Paging Test \d\d/g)].length, 5);
  t.match(second.body, /Paging Test 29/);
  t.match(second.body, /Previous/);
  t.notMatch(second.body, />Next</);
});

t.test('each step validates before Next, and Back keeps what was typed', async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.reseller);
  t.match((await agent.get('/customers')).body, /href="\/customers\/new"/, 'the list offers New Customer Account');
  const blank = await agent.get('/customers/new');
  t.match(blank.body, /Step 1 of 4: Account type/);
  t.match(blank.body, /value="business"/);
  t.notMatch(blank.body, /name="reseller_id"/, 'a reseller user does not choose the reseller');

  const noKind = await agent.post('/customers/new', { kind: '', sales_person: 'Pat Seller', action: 'next' });
  t.equal(noKind.statusCode, 422);
  t.match(noKind.body, /id="kind-error">Choose Business or Personal\./);
  t.match(noKind.body, /value="Pat Seller"/, 'the typed value comes back');
  const base = /action="(\/customers\/new\/[\w-]+)\/account-type"/.exec(noKind.body)![1];
  t.equal(
    (await agent.get(`${base}/contact-details`)).headers.location,
    `${base}/account-type`,
    'a later step stays closed',
  );

  const one = await agent.post(`${base}/account-type`, { ...step1, action: 'next' });
  t.equal(one.headers.location, `${base}/contact-details`);

  const badTwo = await agent.post(`${base}/contact-details`, {
    ...step2,
    name: '',
    email: 'not-an-email',
    phone: 'call me',
    action: 'next',
  });
  t.equal(badTwo.statusCode, 422);
  t.match(badTwo.body, /id="name-error">Enter the customer&#39;s name\./);
  t.match(badTwo.body, /id="email-error">Enter a valid e-mail address/);
  t.match(badTwo.body, /id="phone-error">Enter a phone number/);
  t.match(badTwo.body, /value="12 Quay Street"/);
  t.match(badTwo.body, /<label for="name">Company name/, 'a business is asked for its company name');

  // Back from an invalid step keeps the typed values, and step 1 still has its own.
  const back = await agent.post(`${base}/contact-details`, { ...step2, email: 'half-typed@', action: 'back' });
  t.equal(back.headers.location, `${base}/account-type`);
  const stepOne = await agent.get(`${base}/account-type`);
  t.match(stepOne.body, /value="business" checked/);
  t.match(stepOne.body, /value="Leeds"/);
  const stepTwo = await agent.get(`${base}/contact-details`);
  t.match(stepTwo.body, /value="half-typed@"/);
  t.match(stepTwo.body, /value="BS1 4DJ"/);
  t.match(stepTwo.body, /<option value="GB" selected>/);

  t.equal(
    (await agent.post(`${base}/contact-details`, { ...step2, action: 'next' })).headers.location,
    `${base}/account-id`,
  );
  const longId = await agent.post(`${base}/account-id`, { custom_account_id: 'x'.repeat(65), action: 'next' });
  t.equal(longId.statusCode, 422);
  t.match(longId.body, /can be at most 64 characters/);
  t.equal(
    (await agent.post(`${base}/account-id`, { ...step3, action: 'next' })).headers.location,
    `${base}/administrator`,
  );

  const badFour = await agent.post(`${base}/administrator`, {
    login: 'a b',
    password: 'short',
    password_confirm: 'other',
    action: 'finish',
  });
  t.equal(badFour.statusCode, 422);
  t.match(
    badFour.body,
    /id="login-error">The logon name needs at least 3 characters|id="login-error">Use only letters/,
  );
  t.match(badFour.body, /id="password-error">The password needs at least 10 characters/);
  const mismatch = await agent.post(`${base}/administrator`, {
    ...step4,
    password_confirm: 'something else',
    action: 'finish',
  });
  t.match(mismatch.body, /id="password_confirm-error">The two passwords do not match/);
  t.notMatch(mismatch.body, /correct horse/, 'a password is never sent back');

  // Back from the last step with a good password keeps it (as a hash) for Finish.
  t.equal(
    (await agent.post(`${base}/administrator`, { ...step4, action: 'back' })).headers.location,
    `${base}/account-id`,
  );
  const draft = await db('drafts')
    .where({ id: base.split('/').pop() })
    .first();
  t.notMatch(draft.data, /correct horse/, 'the draft keeps no password in clear');
  const again = await agent.get(`${base}/administrator`);
  t.match(again.body, /A password is already set/);
  t.match(again.body, /value="harbour.admin"/);
  const finished = await agent.post(`${base}/administrator`, { login: 'harbour.admin', action: 'finish' });
  t.equal(finished.statusCode, 303);
  t.match(finished.headers.location, /^\/customers\/\d+$/);
  const contact = await db('contacts').where({ login: 'harbour.admin' }).first();
  t.ok(
    await verifyPassword('correct horse battery', contact.password_hash),
    'the password entered before Back is the one kept',
  );
});

t.test('Finish creates the customer, its Bill To location and its administrative user, all audited', async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.reseller);
  const base = await walkToLastStep(agent);
  const finished = await agent.post(`${base}/administrator`, { ...step4, action: 'finish' });
  t.equal(finished.statusCode, 303);
  const customer = await db('customers').where({ name: 'Harbour Lights Cafe' }).first();
  t.equal(finished.headers.location, `/customers/${customer.id}`);
  t.match(customer, {
    kind: 'business',
    status: 'active',
    reseller_id: await idOf(db, 'resellers', { name: 'Northwind Telecom' }),
    custom_account_id: 'CRM-4411',
    email: 'owner@harbourlights.example',
    phone: '+44 117 496 0000',
    sales_person: 'Pat Seller',
    branch: 'Leeds',
    account_number: 'LD0000008',
  });
  const locations = await db('locations').where({ customer_id: customer.id });
  t.match(locations, [
    {
      is_bill_to: 1,
      line1: '12 Quay Street',
      line2: null,
      city: 'Bristol',
      region: 'Avon',
      postal_code: 'BS1 4DJ',
      country: 'GB',
    },
  ]);
  const contacts = await db('contacts').where({ customer_id: customer.id });
  t.equal(contacts.length, 1);
  t.match(contacts[0], {
    login: 'harbour.admin',
    name: 'Harbour Lights Cafe',
    email: 'owner@harbourlights.example',
    access_level: 'full',
    is_billing_contact: 1,
  });
  t.ok(await verifyPassword('correct horse battery', contacts[0].password_hash), 'the password is stored hashed');
  const audited = await db('audit_events')
    .where({ customer_id: customer.id, action: 'create' })
    .select('entity', 'field', 'new_value');
  t.ok(audited.some((e) => e.entity === 'customers' && e.field === 'custom_account_id' && e.new_value === 'CRM-4411'));
  t.ok(audited.some((e) => e.entity === 'locations' && e.field === 'line1'));
  t.ok(
    audited.some((e) => e.entity === 'contacts' && e.field === 'password_hash' && e.new_value === 'set'),
    'the hash itself is not logged',
  );
  t.match(
    await db('drafts')
      .where({ id: base.split('/').pop() })
      .first(),
    { customer_id: customer.id, finished_at: /^\d{4}-/ },
  );

  const page = await agent.get(finished.headers.location!);
  t.match(page.body, /The customer account was created/);
  t.match(page.body, /<h1>Harbour Lights Cafe<\/h1>/);
  t.match(page.body, /12 Quay Street/);
  t.match(page.body, /harbour\.admin/);
  t.match(page.body, /href="\/customers\/\d+\/additional-information"/);
  t.equal(
    (await agent.get(`${base}/account-type`)).headers.location,
    `/customers/${customer.id}`,
    'a finished form leads to its customer',
  );
  t.notMatch((await agent.get('/customers')).body, /Unfinished new customer accounts/);
});

t.test('the forms promise only what exists today: no portal sign-in, billing reports or commissions', async (t) => {
  const { app } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.reseller);
  const promises = /can sign in to the portal|signs in to the customer portal|billing reports|commissions/i;
  t.notMatch((await agent.get('/customers/new')).body, promises, 'New Customer Account step 1');
  const base = await walkToLastStep(agent);
  t.notMatch((await agent.get(`${base}/administrator`)).body, promises, 'the administrative user step');
  const finished = await agent.post(`${base}/administrator`, { ...step4, action: 'finish' });
  const page = await agent.get(finished.headers.location!);
  t.match(page.body, /The customer account was created/);
  t.notMatch(page.body, promises, 'the message after Finish');
  t.notMatch((await agent.get(`${finished.headers.location}/additional-information`)).body, promises);
});

t.test('A5: New Customer Account puts the customer in an institution and a group of it', async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.reseller);
  const leeds = await db('institutions').where({ name: 'Leeds Institute of Technology' }).first();
  const robotics = await db('groups').where({ name: 'Robotics Group' }).first();
  const genomics = await db('groups').where({ name: 'Genomics Lab' }).first();
  const first = await agent.get('/customers/new');
  t.match(first.body, /<label for="institution_id">Institution/);
  const wrong = await agent.post('/customers/new', { ...step1, institution_id: leeds.id, group_id: genomics.id });
  t.equal(wrong.statusCode, 422);
  t.match(wrong.body, /Genomics Lab is not a group of Leeds Institute of Technology/);
  const base = await walkToLastStep(agent, {
    ...step1,
    institution_id: String(leeds.id),
    group_id: String(robotics.id),
  });
  const finished = await agent.post(`${base}/administrator`, { ...step4, action: 'finish' });
  const customer = await db('customers').where({ name: 'Harbour Lights Cafe' }).first();
  t.match(customer, { institution_id: leeds.id, group_id: robotics.id });
  const page = await agent.get(finished.headers.location!);
  t.match(
    page.body,
    /None: neither this customer&#39;s group nor institution has an external customer number|None: neither this customer's group/,
  );
});

t.test('a value taken between its step and Finish rolls everything back', async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.reseller);
  const base = await walkToLastStep(agent);
  // Another user takes the logon name after step 4 was shown: Finish must create nothing at all.
  const acme = await idOf(db, 'customers', { name: 'Acme Plumbing Ltd' });
  const before = await db('customers').count({ n: '*' }).first();
  await db('contacts').insert({
    customer_id: acme,
    name: 'Someone',
    login: 'harbour.admin',
    created_at: new Date().toISOString(),
  });
  const refused = await agent.post(`${base}/administrator`, { ...step4, action: 'finish' });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, /This logon name is taken/);
  t.same(await db('customers').count({ n: '*' }).first(), before);
  t.equal((await db('locations').where({ city: 'Bristol' })).length, 0);
  t.equal(
    (
      await db('drafts')
        .where({ id: base.split('/').pop() })
        .first()
    ).finished_at,
    null,
    'the draft stays open',
  );
});

t.test('a double Finish creates one customer', async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.reseller);
  const base = await walkToLastStep(agent);
  const [a, b] = await Promise.all([
    agent.post(`${base}/administrator`, { ...step4, action: 'finish' }),
    agent.post(`${base}/administrator`, { ...step4, action: 'finish' }),
  ]);
  t.equal(a.statusCode, 303);
  t.equal(b.statusCode, 303);
  t.equal(a.headers.location, b.headers.location, 'both land on the same customer');
  t.equal((await db('customers').where({ name: 'Harbour Lights Cafe' })).length, 1);
  t.equal((await db('contacts').where({ login: 'harbour.admin' })).length, 1);
  const third = await agent.post(`${base}/administrator`, { ...step4, action: 'finish' });
  t.equal(third.headers.location, a.headers.location, 'a later resubmit too');
});

t.test('the draft survives a reload, a second tab and signing out and back in', async (t) => {
  const { app } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.reseller);
  const started = await agent.post('/customers/new', { ...step1, action: 'next' });
  const base = started.headers.location!.replace(/\/contact-details$/, '');
  await agent.post(`${base}/contact-details`, { ...step2, action: 'next' });
  await agent.post('/logout');
  const again = await signIn(app, demoUsers.reseller);
  const list = await again.get('/customers');
  t.match(list.body, /Unfinished new customer accounts/);
  t.match(list.body, /Harbour Lights Cafe/);
  t.match(list.body, new RegExp(`href="${base}"`));
  const resumed = await again.get(base);
  t.equal(resumed.headers.location, `${base}/account-id`, 'Continue opens the step the user reached');
  t.match((await again.get(`${base}/contact-details`)).body, /value="12 Quay Street"/);
  const other = await signIn(app, demoUsers.support);
  t.equal((await other.get(`${base}/contact-details`)).statusCode, 404, "another user's draft is not reachable");
  const discarded = await again.post(`${base}/discard`);
  t.equal(discarded.headers.location, '/customers');
  t.equal((await again.get(`${base}/contact-details`)).statusCode, 404);
});

t.test('admins choose the reseller; a reseller user is fixed to its own', async (t) => {
  const { app, db } = await buildTestApp(t);
  const admin = await signIn(app, demoUsers.admin);
  const form = await admin.get('/customers/new');
  t.match(form.body, /<label for="reseller_id">Reseller<\/label>/);
  t.match(form.body, /Contoso Networks/);
  const missing = await admin.post('/customers/new', { ...step1, action: 'next' });
  t.equal(missing.statusCode, 422);
  t.match(missing.body, /id="reseller_id-error">Choose the reseller/);
  const contoso = await idOf(db, 'resellers', { name: 'Contoso Networks' });
  const base = await walkToLastStep(admin, { ...step1, reseller_id: String(contoso) });
  await admin.post(`${base}/administrator`, { ...step4, action: 'finish' });
  t.equal((await db('customers').where({ name: 'Harbour Lights Cafe' }).first()).reseller_id, contoso);

  const reseller = await signIn(app, demoUsers.reseller);
  const foreign = await reseller.post('/customers/new', { ...step1, reseller_id: String(contoso), action: 'next' });
  t.equal(foreign.statusCode, 403, 'a reseller cannot create a customer for another reseller');
  const own = await reseller.post('/customers/new', { ...step1, action: 'next' });
  const ownBase = own.headers.location!.replace(/\/contact-details$/, '');
  t.equal(
    (await reseller.post(`${ownBase}/account-type`, { ...step1, reseller_id: String(contoso), action: 'next' }))
      .statusCode,
    403,
  );
});

t.test('the Custom Account ID is unique per reseller, and the same id may serve two resellers', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await idOf(db, 'customers', { name: 'Acme Plumbing Ltd' }); // Northwind
  const baker = await idOf(db, 'customers', { name: 'Baker & Sons Bakery' }); // Northwind
  const frank = await idOf(db, 'customers', { name: 'Frank Osei' }); // Contoso
  const agent = await signIn(app, demoUsers.admin);
  const version = async (id: number) => (await db('customers').where({ id }).first()).version;

  t.equal(
    (
      await agent.post(`/customers/${acme}/additional-information`, {
        custom_account_id: 'SHARED-1',
        version: await version(acme),
      })
    ).statusCode,
    303,
  );
  const taken = await agent.post(`/customers/${baker}/additional-information`, {
    custom_account_id: 'SHARED-1',
    version: await version(baker),
  });
  t.equal(taken.statusCode, 422);
  t.match(taken.body, /already used by Acme Plumbing Ltd \(LD0000001\)/);
  t.match(taken.body, /value="SHARED-1"/, 'the typed value stays in the field');
  t.equal(
    (
      await agent.post(`/customers/${frank}/additional-information`, {
        custom_account_id: 'SHARED-1',
        version: await version(frank),
      })
    ).statusCode,
    303,
    'another reseller may use it',
  );
  t.equal((await db('customers').where({ custom_account_id: 'SHARED-1' })).length, 2);

  // The wizard checks it at step 3, within the chosen reseller.
  const reseller = await signIn(app, demoUsers.reseller);
  const started = await reseller.post('/customers/new', { ...step1, action: 'next' });
  const base = started.headers.location!.replace(/\/contact-details$/, '');
  await reseller.post(`${base}/contact-details`, { ...step2, action: 'next' });
  const wizardTaken = await reseller.post(`${base}/account-id`, { custom_account_id: 'SHARED-1', action: 'next' });
  t.equal(wizardTaken.statusCode, 422);
  t.match(
    wizardTaken.body,
    /id="custom_account_id-error">This Customer Account ID is already used by Acme Plumbing Ltd/,
  );
  const contoso = await signIn(app, demoUsers.reseller2);
  t.equal((await walkToLastStep(contoso, step1, { custom_account_id: 'X-9' })).length > 0, true);
});

t.test("a reseller cannot list, open, edit or create another reseller's customers", async (t) => {
  const { app, db } = await buildTestApp(t);
  const frank = await idOf(db, 'customers', { name: 'Frank Osei' }); // Contoso
  await db('customers').where({ id: frank }).update({ custom_account_id: 'CONTOSO-1' });
  const agent = await signIn(app, demoUsers.reseller);
  t.notMatch((await agent.get('/customers')).body, /Frank Osei/);
  t.notMatch((await agent.get('/customers?q=frank')).body, /Frank Osei/);
  t.notMatch((await agent.get('/customers?q=CONTOSO-1')).body, /Frank Osei/);
  t.notMatch((await agent.get('/customers?q=fr')).body, /Frank Osei/);
  t.notMatch((await agent.get('/search?q=frank')).body, /Frank Osei/);
  t.equal((await agent.get(`/customers/${frank}`)).statusCode, 404);
  t.equal((await agent.get(`/customers/${frank}/additional-information`)).statusCode, 404);
  t.equal((await agent.get(`/customers/${frank}/additional-information/edit`)).statusCode, 404);
  t.equal(
    (await agent.post(`/customers/${frank}/additional-information`, { custom_account_id: 'MINE', version: 1 }))
      .statusCode,
    404,
  );
  t.equal(
    (
      await agent.put(
        `/customers/${frank}/additional-information`,
        { custom_account_id: 'MINE', version: 1 },
        { htmx: true },
      )
    ).statusCode,
    404,
  );
  t.equal((await db('customers').where({ id: frank }).first()).custom_account_id, 'CONTOSO-1');
  t.equal(
    (
      await agent.post('/customers/new', {
        ...step1,
        reseller_id: String((await db('customers').where({ id: frank }).first()).reseller_id),
        action: 'next',
      })
    ).statusCode,
    403,
  );
});
