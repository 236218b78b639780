import t from 'tap';
import { type Agent, buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

const newCustomer = {
  customer_mode: 'new',
  kind: 'business',
  name: 'Harbour Lights Cafe',
  email: 'Owner@HarbourLights.example',
  phone: '0121 496 0000',
  line1: '1 Quay Street',
  city: 'Birmingham',
  postal_code: 'B1 1AA',
  country: 'GB',
  pin: '4821',
  custom_account_id: 'HL-1',
};

/** Starts a wizard and returns its id. */
async function start(agent: Agent): Promise<string> {
  const response = await agent.post('/wizard');
  const match = /\/wizard\/([^/]+)\/customer/.exec(String(response.headers.location));
  if (!match) throw new Error(`no wizard started: ${response.statusCode}`);
  return match[1];
}

t.test('the wizard, tab by tab: validation, Back keeps choices, creation once, notifications', async (t) => {
  const { app, db } = await buildTestApp(t);
  const admin = await signIn(app, demoUsers.admin);
  const northwind = await db('resellers').where({ name: 'Northwind Telecom' }).first();
  const hosted = await db('service_types').where({ name: 'Hosted Voice' }).first();

  const home = await admin.get('/');
  t.match(home.body, /href="\/wizard"/, 'the home page links to the wizard');
  const startPage = await admin.get('/wizard');
  t.match(startPage.body, />Next</);

  const id = await start(admin);
  const url = (step: string) => `/wizard/${id}/${step}`;
  t.equal(
    (await admin.get(url('numbers'))).headers.location,
    url('customer'),
    'later tabs do not open before earlier ones pass',
  );

  // C1 Customer
  const empty = await admin.post(url('customer'), { customer_mode: 'new', name: '', email: 'nope', action: 'next' });
  t.equal(empty.statusCode, 422);
  t.match(empty.body, /Choose the reseller this customer belongs to/);
  t.match(empty.body, /Enter the customer&#39;s name|Enter the customer's name/);
  t.match(empty.body, /Enter a valid e-mail address/);
  t.match(empty.body, /Enter a PIN of 4 to 8 digits/);
  t.match(empty.body, /value="nope"/, 'the form comes back filled in');
  const badPin = await admin.post(url('customer'), {
    ...newCustomer,
    reseller_id: northwind.id,
    pin: '12',
    action: 'next',
  });
  t.equal(badPin.statusCode, 422);
  t.match(badPin.body, /Enter a PIN of 4 to 8 digits/);
  const customer = await admin.post(url('customer'), { ...newCustomer, reseller_id: northwind.id, action: 'next' });
  t.equal(customer.headers.location, url('service'));
  const stored = JSON.parse((await db('drafts').where({ id }).first()).data);
  t.notOk('pin' in stored, 'the PIN itself is never stored');
  t.match(stored.pin_hash, /^scrypt\$/, 'only its hash');

  // C2 Service
  const noService = await admin.post(url('service'), { action: 'next' });
  t.equal(noService.statusCode, 422);
  t.match(noService.body, /Choose a service type, or Only Create a Customer Account/);
  const details = await admin.post(url('service'), { service_type_id: hosted.id, action: 'details' }, { htmx: true });
  t.match(details.body, /id="product-details"/, 'htmx gets the side panel alone');
  t.match(details.body, /A cloud phone line/);
  t.notMatch(details.body, /<html/);
  t.equal(
    (await admin.post(url('service'), { service_type_id: hosted.id, action: 'next' })).headers.location,
    url('numbers'),
  );

  // C3 Numbers
  const noNumbers = await admin.post(url('numbers'), { action: 'next' });
  t.equal(noNumbers.statusCode, 422);
  t.match(noNumbers.body, /Add at least one number for this service/);
  const badFilter = await admin.get(`${url('numbers')}?count=500&method=containing&digits=&pool=public`);
  t.equal(badFilter.statusCode, 422);
  t.match(badFilter.body, /Enter how many numbers, from 1 to 50/);
  t.match(badFilter.body, /Enter the digits the numbers should contain/);
  const search = await admin.get(`${url('numbers')}?count=5&prefix=0121737&grade=&method=next&digits=&pool=public`);
  t.equal(search.statusCode, 200);
  for (const n of ['01217370000', '01217370004']) t.match(search.body, n, `${n} is offered`);
  const ids = await db('phone_numbers')
    .whereIn('number', ['01217370000', '01217370001', '01217370002'])
    .orderBy('number')
    .pluck('id');
  const filters = { count: '5', prefix: '0121737', grade: '', method: 'next', digits: '', pool: 'public' };
  const added = await admin.post(url('numbers'), { ...filters, add: ids[0] }, { htmx: true });
  t.equal(added.statusCode, 200);
  t.match(added.body, /Remove 01217370000/, 'the chosen list shows it');
  t.match(added.body, /Pricing/, 'with the pricing');
  t.match(added.body, /\$30\.00/, 'Hosted Voice $15 and a platinum number $15 a month under Business Standard');
  const none = await admin.post(url('numbers'), { ...filters, action: 'add-ticked' }, { htmx: true });
  t.equal(none.statusCode, 409);
  t.match(none.body, /Tick the numbers to add first/);
  const ticked = await admin.post(url('numbers'), {
    ...filters,
    action: 'add-ticked',
    ticked: [String(ids[1]), String(ids[2])],
  });
  t.equal(ticked.statusCode, 303, 'without JavaScript the page reloads');
  const reserved = await db('phone_numbers').whereIn('id', ids);
  t.ok(
    reserved.every((n) => n.status === 'reserved' && n.reserved_by_draft === id),
    'all three are reserved for this draft',
  );
  t.equal((await admin.post(url('numbers'), { ...filters, action: 'next' })).headers.location, url('settings'));

  // C4 Settings
  const settingsPage = await admin.get(url('settings'));
  t.match(settingsPage.body, /Caller display name/);
  const fields = (over: Record<string, string> = {}) =>
    Object.fromEntries(
      ids
        .flatMap((n) => [
          [`n${n}_caller_display_name`, 'Harbour Lights'],
          [`n${n}_ring_time`, '20'],
          [`n${n}_voicemail`, 'on'],
          [`n${n}_forwarding_destination`, ''],
        ])
        .concat(Object.entries(over)),
    );
  const badSettings = await admin.post(url('settings'), {
    quantity: '1',
    ...fields({ [`n${ids[0]}_caller_display_name`]: '', [`n${ids[1]}_ring_time`]: '500' }),
    action: 'next',
  });
  t.equal(badSettings.statusCode, 422);
  t.match(badSettings.body, /Enter the caller display name/);
  t.match(badSettings.body, /Enter a whole number of seconds from 5 to 120/);
  t.match(badSettings.body, /value="500"/, 'typed values come back');
  const badQuantity = await admin.post(url('settings'), { quantity: '0', ...fields(), action: 'update' });
  t.equal(badQuantity.statusCode, 422);
  t.match(badQuantity.body, /Enter how many services, from 1 to 20/);
  t.equal(
    (
      await admin.post(url('settings'), {
        quantity: '1',
        ...fields({ [`n${ids[2]}_ring_time`]: '30' }),
        action: 'next',
      })
    ).headers.location,
    url('billing'),
  );

  // C5 Billing, and Back keeps everything
  const billing = await admin.get(url('billing'));
  t.match(billing.body, /Price List For this Service/);
  t.match(billing.body, /Business Standard/);
  const back = await admin.post(url('billing'), { action: 'back' });
  t.equal(back.headers.location, url('settings'));
  const backAgain = await admin.get(url('settings'));
  t.match(backAgain.body, /value="30"/, 'Back keeps the settings typed before');
  const customerAgain = await admin.get(url('customer'));
  t.match(customerAgain.body, /value="Harbour Lights Cafe"/, 'and the customer details');
  const partner = await db('price_lists').where({ name: 'Partner Discount' }).first();
  t.equal((await admin.post(url('billing'), { price_list_id: partner.id, action: 'change' })).statusCode, 303);
  t.equal(
    (await admin.post(url('billing'), { price_list_id: partner.id, action: 'next' })).headers.location,
    url('creation'),
  );

  // C6 Creation: 01217370000 is platinum, which Partner Discount does not price: an error.
  const report = await admin.get(url('creation'));
  t.match(report.body, /The price list Partner Discount has no price for Platinum numbers/);
  t.match(report.body, /left at their defaults/, 'settings left at defaults are warnings');
  t.match(
    report.body,
    /Creates the customer account Harbour Lights Cafe for Northwind Telecom/,
    'a short summary by default',
  );
  const full = await admin.post(url('creation'), { view: 'full', action: 'update' });
  t.equal(full.statusCode, 303);
  const fullReport = await admin.get(url('creation'));
  t.match(fullReport.body, /Assigns 01217370000 \(Platinum\) to service 1/, 'the full report lists every effect');
  t.match(fullReport.body, /Gives it the Customer Account ID HL-1/);
  const blocked = await admin.post(url('creation'), { view: 'full', agreed: 'on', action: 'create' });
  t.equal(blocked.statusCode, 422, 'errors block creation');
  t.equal((await db('customers').where({ name: 'Harbour Lights Cafe' })).length, 0);
  await admin.post(url('billing'), {
    price_list_id: (await db('price_lists').where({ name: 'Business Standard' }).first()).id,
    action: 'next',
  });
  const terms = await admin.post(url('creation'), { view: 'summary', show_terms: 'on', action: 'update' });
  t.equal(terms.statusCode, 303);
  t.match((await admin.get(url('creation'))).body, /Either party may end a service/, 'the terms show when asked');
  const notAgreed = await admin.post(url('creation'), { action: 'create' });
  t.equal(notAgreed.statusCode, 422);
  t.match(notAgreed.body, /Tick I Agree to the Terms and Conditions of these Services first/);

  const [first, second] = await Promise.all([
    admin.post(url('creation'), { agreed: 'on', action: 'create' }),
    admin.post(url('creation'), { agreed: 'on', action: 'create' }),
  ]);
  t.same([first.statusCode, second.statusCode], [303, 303], 'a double Create Services is answered twice…');
  const created = await db('customers').where({ name: 'Harbour Lights Cafe' });
  t.equal(created.length, 1, '…but creates one customer');
  const services = await db('services').where({ customer_id: created[0].id });
  t.equal(services.length, 1, 'and one service');
  t.equal(services[0].monthly_cents, 1500);
  const assigned = await db('service_numbers').where({ service_id: services[0].id });
  t.equal(assigned.length, 3, 'with three numbers');
  t.ok(
    (await db('phone_numbers').whereIn('id', ids)).every(
      (n) => n.status === 'assigned' && n.customer_id === created[0].id,
    ),
  );
  t.match(created[0].pin_hash, /^scrypt\$/, 'the PIN is stored hashed');
  t.equal(created[0].custom_account_id, 'HL-1');
  t.ok(
    await db('locations').where({ customer_id: created[0].id, is_bill_to: true }).first(),
    'with its Bill To location',
  );
  t.equal(
    (await db('audit_events').where({ entity: 'customers', entity_id: created[0].id, field: 'pin_hash' }).first())
      .new_value,
    'set',
    'the audit says a PIN was set, not what it is',
  );
  const creation = await admin.get(url('creation'));
  t.match(creation.body, /Service Creation/);
  t.equal(
    (await admin.get(url('numbers'))).headers.location,
    url('creation'),
    'earlier tabs are closed after creation',
  );

  // C7 Notifications
  t.equal((await admin.post(url('creation'), { action: 'next' })).headers.location, url('notifications'));
  const notifications = await admin.get(url('notifications'));
  t.match(notifications.body, /Logs Generated During Creation/);
  t.match(notifications.body, /value="owner@harbourlights.example"/, 'the customer e-mail is filled in');
  const logs = await admin.post(url('notifications'), { show_log_numbers: 'on', action: 'update' });
  t.equal(logs.statusCode, 303);
  t.match(
    (await admin.get(url('notifications'))).body,
    /01217370001 \(Silver\) assigned to service/,
    'a ticked log shows',
  );
  const noSubject = await admin.post(url('notifications'), {
    email_customer: 'on',
    customer_to: 'owner@harbourlights.example',
    customer_subject: '',
    customer_body: 'Hi',
    destination: 'service',
    action: 'finish',
  });
  t.equal(noSubject.statusCode, 422);
  t.match(noSubject.body, /Enter a subject/);
  const finish = await admin.post(url('notifications'), {
    email_customer: 'on',
    customer_to: 'owner@harbourlights.example',
    customer_subject: 'Welcome',
    customer_body: 'Your numbers are live.',
    reseller_to: 'reseller@example.com',
    reseller_subject: 'x',
    reseller_body: 'y',
    destination: 'service',
    action: 'finish',
  });
  t.equal(finish.headers.location, `/services/${services[0].id}`, 'Finish goes where the drop-down says');
  const again = await admin.post(url('notifications'), {
    email_customer: 'on',
    customer_to: 'owner@harbourlights.example',
    customer_subject: 'Welcome',
    customer_body: 'Again',
    destination: 'customer',
    action: 'finish',
  });
  t.equal(again.statusCode, 303);
  const outbox = await db('emails').where({ customer_id: created[0].id });
  t.same(
    outbox.map((e) => [e.to_address, e.subject, e.template, e.status]),
    [['owner@harbourlights.example', 'Welcome', 'wizard-customer', 'queued']],
    'one e-mail queued, once; the unticked one not at all',
  );

  // C8 Products and Service Details
  const products = await admin.get(`/customers/${created[0].id}/products`);
  t.match(products.body, /Hosted Voice #/);
  t.match(products.body, /01217370002/);
  const orders = await admin.get(`/customers/${created[0].id}/orders`);
  t.match(
    orders.body,
    new RegExp(`href="/services/${services[0].id}">Hosted Voice #${services[0].id}</a>`),
    'the order shows on the Orders tab',
  );
  const detailsPage = await admin.get(`/services/${services[0].id}`);
  t.match(detailsPage.body, /Service Details/);
  const sn = assigned.find((a) => a.phone_number_id === ids[0])!;
  const badChange = await admin.post(`/services/${services[0].id}/numbers/${sn.id}`, {
    caller_display_name: '',
    ring_time: '20',
    voicemail: 'on',
    version: '1',
  });
  t.equal(badChange.statusCode, 422);
  t.match(badChange.body, /Enter the caller display name/);
  const change = await admin.post(`/services/${services[0].id}/numbers/${sn.id}`, {
    caller_display_name: 'Harbour Lights Bar',
    ring_time: '25',
    version: '1',
  });
  t.equal(change.statusCode, 303);
  const changed = await db('service_numbers').where({ id: sn.id }).first();
  t.same(JSON.parse(changed.settings), {
    caller_display_name: 'Harbour Lights Bar',
    ring_time: '25',
    voicemail: 'off',
    forwarding_destination: '',
  });
  const audit = await db('audit_events')
    .where({ entity: 'service_numbers', entity_id: sn.id, action: 'update' })
    .orderBy('field');
  t.same(
    audit.map((a) => [a.field, a.old_value, a.new_value]),
    [
      ['settings.caller_display_name', 'Harbour Lights', 'Harbour Lights Bar'],
      ['settings.ring_time', '20', '25'],
      ['settings.voicemail', 'on', 'off'],
    ],
    'each changed setting is audited',
  );
  const stale = await admin.post(`/services/${services[0].id}/numbers/${sn.id}`, {
    caller_display_name: 'Old tab',
    ring_time: '25',
    version: '1',
  });
  t.equal(stale.statusCode, 409, 'a stale change is refused');
});

t.test('Only Create a Customer Account skips to Billing and creates just the customer', async (t) => {
  const { app, db } = await buildTestApp(t);
  const reseller = await signIn(app, demoUsers.reseller);
  const id = await start(reseller);
  const url = (step: string) => `/wizard/${id}/${step}`;
  const { reseller_id: _ignored, ...fields } = { ...newCustomer, reseller_id: '' };
  t.equal(
    (await reseller.post(url('customer'), { ...fields, action: 'next' })).headers.location,
    url('service'),
    'a reseller user does not choose a reseller',
  );
  t.equal((await reseller.post(url('service'), { action: 'customer-only' })).headers.location, url('billing'));
  t.equal((await reseller.get(url('numbers'))).headers.location, url('billing'), 'Numbers is skipped');
  t.equal(
    (await reseller.post(url('billing'), { action: 'back' })).headers.location,
    url('service'),
    'Back from Billing returns to Service',
  );
  await reseller.post(url('billing'), { action: 'next' });
  const report = await reseller.get(url('creation'));
  t.match(report.body, /Creates no services: only the customer account/);
  t.equal((await reseller.post(url('creation'), { agreed: 'on', action: 'create' })).statusCode, 303);
  const customer = await db('customers').where({ name: 'Harbour Lights Cafe' }).first();
  const northwind = await db('resellers').where({ name: 'Northwind Telecom' }).first();
  t.equal(customer.reseller_id, northwind.id, 'the customer belongs to the reseller user’s reseller');
  t.equal((await db('services').where({ customer_id: customer.id })).length, 0);
  await reseller.post(url('creation'), { action: 'next' });
  const finish = await reseller.post(url('notifications'), { destination: 'customer', action: 'finish' });
  t.equal(finish.headers.location, `/customers/${customer.id}`);
});

t.test('tenant isolation: drafts, customers, pools and services of another reseller stay out of reach', async (t) => {
  const { app, db } = await buildTestApp(t);
  const northwind = await signIn(app, demoUsers.reseller);
  const contoso = await signIn(app, demoUsers.reseller2);
  const id = await start(northwind);
  t.equal((await contoso.get(`/wizard/${id}/customer`)).statusCode, 404, "another reseller's draft is not found");
  t.equal((await contoso.post(`/wizard/${id}/customer`, { ...newCustomer, action: 'next' })).statusCode, 404);
  t.equal((await contoso.post(`/wizard/${id}/discard`)).statusCode, 404);
  t.notMatch((await contoso.get('/wizard')).body, new RegExp(id), 'nor offered for resuming');
  t.equal(
    (await northwind.post(`/wizard/${id}/customer`, { ...newCustomer, reseller_id: '999', action: 'next' })).statusCode,
    403,
    'a reseller cannot name another reseller',
  );

  const evergreen = await db('customers').where({ name: 'Evergreen Dental Practice' }).first();
  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  const existing = await northwind.post(`/wizard/${id}/customer`, {
    customer_mode: 'existing',
    account_number: evergreen.account_number,
    action: 'next',
  });
  t.equal(existing.statusCode, 422, "another reseller's customer cannot be chosen");
  t.match(existing.body, /Find one of your customers/);
  t.equal(
    (
      await northwind.post(`/wizard/${id}/customer`, {
        customer_mode: 'existing',
        account_number: acme.account_number,
        pin: '1234',
        action: 'next',
      })
    ).statusCode,
    303,
  );
  const hosted = await db('service_types').where({ name: 'Hosted Voice' }).first();
  await northwind.post(`/wizard/${id}/service`, { service_type_id: hosted.id, action: 'next' });

  const numbers = await northwind.get(`/wizard/${id}/numbers`);
  t.match(numbers.body, /Acme Plumbing Ltd \(LD/, "the reseller's own customer's pool is offered");
  t.notMatch(numbers.body, /Evergreen Dental/, "another reseller's pool is not");
  const foreignPool = await northwind.get(`/wizard/${id}/numbers?count=5&method=next&pool=${evergreen.id}`);
  t.equal(foreignPool.statusCode, 422);
  t.match(foreignPool.body, /Choose a pool from the list/);
  t.notMatch(foreignPool.body, /No free numbers match/, 'a bad filter shows its error only, not also "no match"');
  const badCount = await northwind.get(`/wizard/${id}/numbers?count=0&method=next&pool=public`, { htmx: true });
  t.equal(badCount.statusCode, 422);
  t.notMatch(badCount.body, /No free numbers match/, 'nor does an htmx search with a bad count');
  t.match(badCount.body, /role="alert">Correct the search: Enter how many numbers/, 'which says what to correct');
  const ownPool = await northwind.get(`/wizard/${id}/numbers?count=5&method=next&pool=${acme.id}`);
  t.match(ownPool.body, /01217371200/);
  const foreignNumber = await db('phone_numbers').where({ pool_customer_id: evergreen.id }).first();
  const grab = await northwind.post(
    `/wizard/${id}/numbers`,
    { count: '5', method: 'next', pool: 'public', add: foreignNumber.id },
    { htmx: true },
  );
  t.equal(grab.statusCode, 409);
  t.equal(
    (await db('phone_numbers').where({ id: foreignNumber.id }).first()).status,
    'available',
    "a number from another reseller's pool cannot be added",
  );

  const service = await db('services')
    .insert({
      customer_id: evergreen.id,
      service_type_id: hosted.id,
      price_list_id: 1,
      monthly_cents: 0,
      setup_cents: 0,
      created_at: 'x',
      updated_at: 'x',
    })
    .returning('id');
  t.equal(
    (await northwind.get(`/services/${service[0].id}`)).statusCode,
    404,
    "another reseller's service is not found",
  );
  t.equal((await northwind.get(`/customers/${evergreen.id}/products`)).statusCode, 404);
  t.equal((await contoso.get(`/services/${service[0].id}`)).statusCode, 200, 'its own reseller sees it');
});

t.test('two drafts racing for one number: exactly one gets it, the other is told', async (t) => {
  const { app, db } = await buildTestApp(t);
  const northwind = await signIn(app, demoUsers.reseller);
  const contoso = await signIn(app, demoUsers.reseller2);
  const hosted = await db('service_types').where({ name: 'Hosted Voice' }).first();
  const drafts: string[] = [];
  for (const agent of [northwind, contoso]) {
    const id = await start(agent);
    await agent.post(`/wizard/${id}/customer`, {
      ...newCustomer,
      name: `Racer ${drafts.length}`,
      custom_account_id: '',
      action: 'next',
    });
    await agent.post(`/wizard/${id}/service`, { service_type_id: hosted.id, action: 'next' });
    drafts.push(id);
  }
  const target = await db('phone_numbers').where({ number: '02079460123' }).first();
  const form = { count: '5', method: 'next', pool: 'public', add: target.id };
  const [a, b] = await Promise.all([
    northwind.post(`/wizard/${drafts[0]}/numbers`, form, { htmx: true }),
    contoso.post(`/wizard/${drafts[1]}/numbers`, form, { htmx: true }),
  ]);
  t.same([a.statusCode, b.statusCode].sort(), [200, 409], 'one is added, the other refused');
  const loser = a.statusCode === 409 ? a : b;
  t.match(loser.body, /02079460123 was just taken by someone else/);
  const holders = await db('wizard_draft_numbers').where({ phone_number_id: target.id });
  t.equal(holders.length, 1, 'only one draft holds it');

  // The winner's reservation lapses; the other draft takes the number; the first then tries to create.
  const winner = holders[0].draft_id;
  const other = drafts.find((d) => d !== winner)!;
  const winnerAgent = winner === drafts[0] ? northwind : contoso;
  const otherAgent = winner === drafts[0] ? contoso : northwind;
  await db('phone_numbers')
    .where({ id: target.id })
    .update({ reserved_until: new Date(Date.now() - 1000).toISOString() });
  t.equal(
    (await otherAgent.post(`/wizard/${other}/numbers`, form, { htmx: true })).statusCode,
    200,
    'a lapsed reservation frees the number',
  );
  const settings = {
    quantity: '1',
    [`n${target.id}_caller_display_name`]: 'Racer',
    [`n${target.id}_ring_time`]: '20',
    [`n${target.id}_voicemail`]: 'on',
    action: 'next',
  };
  for (const [agent, id] of [
    [winnerAgent, winner],
    [otherAgent, other],
  ] as const) {
    await agent.post(`/wizard/${id}/numbers`, { ...form, add: undefined, action: 'next' });
    await agent.post(`/wizard/${id}/settings`, settings);
    await agent.post(`/wizard/${id}/billing`, { action: 'next' });
  }
  const report = await winnerAgent.get(`/wizard/${winner}/creation`);
  t.match(report.body, /02079460123 has been taken by someone else since it was added/, 'the validity report says so');
  const [x, y] = await Promise.all([
    winnerAgent.post(`/wizard/${winner}/creation`, { agreed: 'on', action: 'create' }),
    otherAgent.post(`/wizard/${other}/creation`, { agreed: 'on', action: 'create' }),
  ]);
  t.equal(y.statusCode, 303, 'the holder creates');
  t.equal(x.statusCode, 422, 'the other is refused with a clear error');
  t.equal(
    (await db('service_numbers').where({ phone_number_id: target.id })).length,
    1,
    'the number went to one customer',
  );
  t.equal((await db('customers').where('name', 'like', 'Racer%')).length, 1, 'and the refused draft created nothing');
});
