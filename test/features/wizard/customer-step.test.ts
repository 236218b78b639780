import t from 'tap';
import { type Agent, buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

/** Starts a wizard and returns its Customer tab's URL. */
async function start(agent: Agent): Promise<string> {
  const response = await agent.post('/wizard');
  const location = String(response.headers.location);
  if (!/\/wizard\/[^/]+\/customer$/.test(location)) throw new Error(`no wizard started: ${response.statusCode}`);
  return location;
}

const buttonNames = (html: string) =>
  [...html.matchAll(/name="choose_customer" value="[^"]+"[^>]*>Choose ([^<]+)</g)].map((m) => m[1]);

t.test('C1: an existing customer is found by name, account number or Custom Account ID and chosen', async (t) => {
  const { app, db } = await buildTestApp(t);
  await db('customers').where({ name: 'Carla Jensen' }).update({ custom_account_id: 'CRM-CJ-9' });
  const reseller = await signIn(app, demoUsers.reseller);
  const customerTab = await start(reseller);
  const draftUrl = customerTab.replace(/\/customer$/, '');
  await reseller.post(customerTab, { customer_mode: 'existing', action: 'update' });

  const before = await reseller.get(customerTab);
  t.match(before.body, /Find the customer/, 'a search instead of an account number field');
  t.notMatch(before.body, /has no PIN yet/, 'no PIN hint before a customer is chosen');
  t.notMatch(before.body, /name="pin"/, 'nor a PIN field');

  const byName = await reseller.get(`${draftUrl}/customers?customer_q=plumb`, { htmx: true });
  t.equal(byName.statusCode, 200);
  t.notMatch(byName.body, /<html/, 'the type-ahead answers with the results alone');
  t.same(buttonNames(byName.body), ['Acme Plumbing Ltd'], 'by a part of the name');
  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  t.same(
    buttonNames((await reseller.get(`${draftUrl}/customers?customer_q=${acme.account_number}`, { htmx: true })).body),
    ['Acme Plumbing Ltd'],
    'by account number',
  );
  t.same(
    buttonNames((await reseller.get(`${draftUrl}/customers?customer_q=crm-cj`, { htmx: true })).body),
    ['Carla Jensen'],
    'by Custom Account ID',
  );
  t.same(
    buttonNames((await reseller.get(`${draftUrl}/customers?customer_q=evergreen`, { htmx: true })).body),
    [],
    "never another reseller's customer",
  );
  t.match((await reseller.get(`${draftUrl}/customers?customer_q=evergreen`, { htmx: true })).body, /None of your/);

  // Without JavaScript: Search posts the tab, which lists the same results; Choose picks one.
  const searched = await reseller.post(customerTab, { customer_mode: 'existing', customer_q: 'plumb', action: 'find' });
  t.equal(searched.headers.location, customerTab);
  t.same(buttonNames((await reseller.get(customerTab)).body), ['Acme Plumbing Ltd'], 'the plain search form');
  const chose = await reseller.post(customerTab, {
    customer_mode: 'existing',
    customer_q: 'plumb',
    choose_customer: acme.account_number,
  });
  t.equal(chose.headers.location, customerTab, 'Choose stays on the tab to show the choice');
  const chosen = await reseller.get(customerTab);
  t.match(chosen.body, /class="picked"[\s\S]*Acme Plumbing Ltd/);
  t.match(chosen.body, /has no PIN yet/, 'the PIN hint shows for the chosen customer without a PIN');

  await db('customers').where({ id: acme.id }).update({ pin_hash: 'scrypt$x' });
  const withPin = await reseller.get(customerTab);
  t.notMatch(withPin.body, /has no PIN yet/, 'and not for a customer that has one');
  t.equal(
    (await reseller.post(customerTab, { customer_mode: 'existing', action: 'next' })).headers.location,
    `${draftUrl}/service`,
    'Next goes on with the chosen customer',
  );

  const foreign = await db('customers').where({ name: 'Evergreen Dental Practice' }).first();
  const refused = await reseller.post(customerTab, {
    customer_mode: 'existing',
    choose_customer: foreign.account_number,
  });
  t.equal(refused.statusCode, 303);
  const next = await reseller.post(customerTab, { customer_mode: 'existing', action: 'next' });
  t.equal(next.statusCode, 422, "another reseller's customer cannot be chosen by its account number");
  t.match(next.body, /Find one of your customers/);
  t.notMatch(next.body, /Evergreen/);
});

t.test('C1: a validation error keeps the PIN as typed, like every other field', async (t) => {
  const { app } = await buildTestApp(t);
  const reseller = await signIn(app, demoUsers.reseller);
  const customerTab = await start(reseller);
  const refused = await reseller.post(customerTab, {
    customer_mode: 'new',
    kind: 'business',
    name: 'Harbour Lights Cafe',
    email: 'not an address',
    line1: '1 Quay Street',
    city: 'Birmingham',
    postal_code: 'B1 1AA',
    country: 'GB',
    pin: '4821',
    action: 'next',
  });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, /Enter a valid e-mail address/);
  t.match(refused.body, /id="pin" name="pin" type="password" value="4821"/, 'the PIN is kept');
  const badPin = await reseller.post(customerTab, { customer_mode: 'new', name: 'Harbour', pin: '12', action: 'next' });
  t.match(badPin.body, /id="pin" name="pin" type="password" value="12"/, 'a PIN in error too, beside its message');
  t.match(badPin.body, /Enter a PIN of 4 to 8 digits/);
});

t.test("A5: the wizard's new customer goes in an institution and group", async (t) => {
  const { app, db } = await buildTestApp(t);
  const reseller = await signIn(app, demoUsers.reseller);
  const customerTab = await start(reseller);
  t.match((await reseller.get(customerTab)).body, /<label for="group_id">Group/);
  const birmingham = await db('institutions').where({ name: 'Birmingham University' }).first();
  const genomics = await db('groups').where({ name: 'Genomics Lab' }).first();
  const next = await reseller.post(customerTab, {
    customer_mode: 'new',
    kind: 'business',
    name: 'Genomics Core',
    email: 'core@genomics.example',
    line1: '1 Lab Road',
    city: 'Birmingham',
    postal_code: 'B15 2TT',
    country: 'GB',
    pin: '4821',
    institution_id: String(birmingham.id),
    group_id: String(genomics.id),
    action: 'next',
  });
  t.equal(next.statusCode, 303);
  const draftUrl = customerTab.replace(/\/customer$/, '');
  await reseller.post(`${draftUrl}/service`, { action: 'customer-only' });
  await reseller.post(`${draftUrl}/billing`, { action: 'next' });
  const report = await reseller.get(`${draftUrl}/creation`);
  t.match(report.body, /Puts it in Birmingham University, group Genomics Lab/);
  t.equal((await reseller.post(`${draftUrl}/creation`, { agreed: 'on', action: 'create' })).statusCode, 303);
  t.match(await db('customers').where({ name: 'Genomics Core' }).first(), {
    institution_id: birmingham.id,
    group_id: genomics.id,
  });
});
