import t from 'tap';
import { setConfigurationFlag } from '../../../src/features/ledger/autopay/configurations.ts';
import { anAutopayConfiguration, aPaymentMethod } from '../../fixtures/billing.ts';
import { aCustomer, aPortalContact } from '../../fixtures/customers.ts';
import { buildTestApp } from '../../helpers/app.ts';
import { signInToPortal } from '../../helpers/portal.ts';

const thisYear = new Date().getUTCFullYear();

t.test(
  'E10/E14: a contact who may manage payment methods adds, edits and removes one in the portal; only a token and the last four are kept',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
    const manager = await aPortalContact(db, acme, { name: 'Mo Methods', permissions: ['manage_payment_methods'] });
    const agent = await signInToPortal(app, manager.email!);

    const list = await agent.get('/portal/payment-methods');
    t.equal(list.statusCode, 200);
    t.match(list.body, /Acme Business Visa/);
    t.match(list.body, 'href="/portal/payment-methods/new?kind=card">NEW</a>');
    t.match(list.body, /aria-label="EDIT Acme Business Visa"/, 'EDIT names the method it edits');
    t.notMatch(list.body, /aria-label="Main"/, 'the portal layout, no staff menu');

    const form = await agent.get('/portal/payment-methods/new');
    t.equal(form.statusCode, 200);
    t.match(form.body, /I authorise storing this payment method/);
    t.match(form.body, /action="\/portal\/payment-methods"/);
    t.match(form.body, /href="\/portal\/payment-methods">Cancel/);

    const cardNumber = '5555555555554444';
    const card = {
      kind: 'card',
      friendly_name: 'Mo’s Mastercard',
      holder_name: 'Mo Methods',
      card_number: cardNumber,
      exp_month: '4',
      exp_year: String(thisYear + 2),
      cvc: '987',
      country: 'us',
      authorise: 'on',
    };
    const unticked = await agent.post('/portal/payment-methods', { ...card, authorise: undefined });
    t.equal(unticked.statusCode, 422);
    t.match(unticked.body, /id="authorise-error"/);
    t.match(unticked.body, /value="Mo’s Mastercard"/, 'the name comes back');
    t.notMatch(unticked.body, cardNumber, 'the card number never comes back');

    const saved = await agent.post('/portal/payment-methods', card);
    t.equal(saved.statusCode, 303);
    t.equal(saved.headers.location, '/portal/payment-methods');
    const method = await db('payment_methods').where({ friendly_name: 'Mo’s Mastercard' }).first();
    t.match(method, { customer_id: acme.id, brand: 'Mastercard', last4: '4444', exp_month: 4, authorised_by: null });
    t.notMatch(JSON.stringify(method), cardNumber, 'no column holds the number');
    const created = await db('audit_events').where({ entity: 'payment_methods', entity_id: method.id }).first();
    t.equal(created.actor_user_id, null);
    t.match(created.acting_as, `contact ${manager.id}`, 'audited as the contact');
    const after = await agent.get('/portal/payment-methods');
    t.match(after.body, /Mastercard <span class="mono">···· 4444<\/span>/);
    t.notMatch(after.body, cardNumber);

    const edit = await agent.get(`/portal/payment-methods/${method.id}/edit`);
    t.equal(edit.statusCode, 200);
    t.match(edit.body, /replace Mastercard ···· 4444/);
    t.match(
      edit.body,
      /<input type="text" id="card_number" name="card_number" inputmode="numeric" autocomplete="off" maxlength="23">/,
    );
    const replaced = await agent.post(`/portal/payment-methods/${method.id}`, {
      ...card,
      card_number: '4242424242424242',
      friendly_name: 'Mo’s Visa',
    });
    t.equal(replaced.statusCode, 303);
    const visa = await db('payment_methods').where({ friendly_name: 'Mo’s Visa' }).first();
    t.equal((await db('payment_methods').where({ id: method.id }).first()).replaced_by_id, visa.id, 'EDIT replaces');
    // Without JavaScript the card's form sends `ask`: a page asks first, in the portal's layout.
    const asked = await agent.post(`/portal/payment-methods/${visa.id}/removal`, { ask: '1' });
    t.equal(asked.statusCode, 200);
    t.match(asked.body, /Remove Mo(’|&#39;|&rsquo;)s Visa\?/);
    t.match(asked.body, /Keep payment method/);
    t.notOk((await db('payment_methods').where({ id: visa.id }).first()).removed_at, 'asking removes nothing');
    t.equal((await agent.post(`/portal/payment-methods/${visa.id}/removal`)).statusCode, 303);
    t.ok((await db('payment_methods').where({ id: visa.id }).first()).removed_at, 'removed');
    t.equal((await agent.get(`/portal/payment-methods/${visa.id}/edit`)).statusCode, 404, 'a removed method is gone');

    const other = await aCustomer(db);
    const theirs = await aPaymentMethod(db, { customerId: other.id });
    t.equal((await agent.get(`/portal/payment-methods/${theirs.id}/edit`)).statusCode, 404, 'another customer’s');
    t.equal((await agent.post(`/portal/payment-methods/${theirs.id}`, card)).statusCode, 404);
    t.equal((await agent.post(`/portal/payment-methods/${theirs.id}/removal`)).statusCode, 404);
    t.notOk((await db('payment_methods').where({ id: theirs.id }).first()).removed_at);

    const viewer = await signInToPortal(
      app,
      (await aPortalContact(db, acme, { permissions: ['view_invoices', 'pay'] })).email!,
    );
    const acmeVisa = await db('payment_methods').where({ friendly_name: 'Acme Business Visa' }).first();
    t.equal((await viewer.get('/portal/payment-methods/new')).statusCode, 403);
    t.equal((await viewer.post('/portal/payment-methods', card)).statusCode, 403);
    t.equal((await viewer.post(`/portal/payment-methods/${acmeVisa.id}/removal`)).statusCode, 403);
    t.notOk((await db('payment_methods').where({ id: acmeVisa.id }).first()).removed_at);
  },
);

t.test(
  'E12/E14: portal Autopay lists the configurations in precedence order; a locked one is read-only and refused; the rest change as the contact',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const customer = await aCustomer(db, { name: 'Autopay Portal Co' });
    const card = await aPaymentMethod(db, { customerId: customer.id, friendlyName: 'Ops Visa' });
    const make = (values: string[]) =>
      anAutopayConfiguration(db, {
        customerId: customer.id,
        paymentMethodId: card.id,
        conditions: [{ trigger: 'amount', operator: 'greater_than', values }],
      });
    const locked = await make(['100']);
    const second = await make(['200']);
    const third = await make(['300']);
    await setConfigurationFlag(db, customer.id, locked, 'locked', true, { userId: null });
    const contact = await aPortalContact(db, customer, { permissions: ['manage_autopay'] });
    const agent = await signInToPortal(app, contact.email!);
    const order = async () =>
      (await db('autopay_configurations').where({ customer_id: customer.id }).orderBy('position')).map((c) => c.id);

    const page = await agent.get('/portal/autopay');
    t.equal(page.statusCode, 200);
    const rules = [...page.body.matchAll(/Pays when Dollar Amount greater than \$(\d+)\.00/g)].map((m) => m[1]);
    t.same(rules, ['100', '200', '300'], 'in precedence order');
    const item = (id: number) =>
      new RegExp(`<li class="autopay-item[^"]*" data-id="${id}">[\\s\\S]*?</li>`).exec(page.body)![0];
    t.match(item(locked), /is-locked is-read-only/, 'greyed');
    t.notMatch(item(locked), /<button|href=/, 'no controls on a locked configuration');
    t.match(item(second), `href="/portal/autopay/${second}/edit"`);
    t.match(item(second), /DISABLE/);
    t.match(
      item(second),
      /aria-label="Move configuration 2 up" title="Move up" hx-post="\/portal\/autopay\/order" disabled/,
      'it cannot pass the locked one',
    );
    t.notMatch(page.body, /Lock configuration/, 'only staff lock');
    t.match(page.body, /Dry run/);

    // The locked one: refused however it is asked.
    t.equal((await agent.get(`/portal/autopay/${locked}/edit`)).statusCode, 403);
    const lockedEdit = await agent.post(`/portal/autopay/${locked}`, {
      payment_method_id: String(card.id),
      trigger: 'amount',
      operator: 'greater_than',
      value: '1',
    });
    t.equal(lockedEdit.statusCode, 403);
    t.equal((await agent.post(`/portal/autopay/${locked}/disable`, { on: 'true' })).statusCode, 403);
    t.equal((await agent.post('/portal/autopay/order', { move: `${second}:up` })).statusCode, 403);
    t.equal(
      (await agent.post('/portal/autopay/order', { order: [second, locked, third].map(String) })).statusCode,
      403,
    );
    t.equal((await agent.post(`/portal/autopay/${second}/lock`, { on: 'true' })).statusCode, 404, 'no Lock route');
    t.match(await db('autopay_configurations').where({ id: locked }).first(), { disabled: 0 });
    t.same(await order(), [locked, second, third]);

    // The others: reorder, DISABLE, edit and New, audited as the contact.
    const moved = await agent.post('/portal/autopay/order', { move: `${third}:up` }, { htmx: true });
    t.equal(moved.statusCode, 200);
    t.match(moved.body, /<div id="autopay" class="autopay">/, 'htmx gets the list afresh');
    t.same(await order(), [locked, third, second]);
    t.equal(
      (await agent.post(`/portal/autopay/${second}/disable`, { on: 'true' })).headers.location,
      '/portal/autopay',
    );
    t.ok(Number((await db('autopay_configurations').where({ id: second }).first()).disabled));
    const edit = await agent.get(`/portal/autopay/${second}/edit`);
    t.equal(edit.statusCode, 200);
    t.match(edit.body, /action="\/portal\/autopay\/\d+"/);
    const version = /name="version" value="(\d+)"/.exec(edit.body)![1];
    const fields = { payment_method_id: String(card.id), trigger: 'age', operator: 'at_least', value: '15', version };
    t.equal((await agent.post(`/portal/autopay/${second}`, fields)).statusCode, 303);
    const changed = await db('autopay_configurations').where({ id: second }).first();
    t.match(changed.conditions, /"age"/);
    const audit = await db('audit_events')
      .where({ entity: 'autopay_configurations', entity_id: second })
      .orderBy('id', 'desc')
      .first();
    t.equal(audit.actor_user_id, null);
    t.match(audit.acting_as, `contact ${contact.id}`, 'audited as the contact');

    const addRow = await agent.post('/portal/autopay', { ...fields, version: undefined, intent: 'add_row' });
    t.equal(addRow.statusCode, 200);
    t.equal(addRow.body.match(/data-row>/g)?.length, 2, 'Advanced adds a row without saving');
    const invalid = await agent.post('/portal/autopay', { ...fields, version: undefined, payment_method_id: '' });
    t.equal(invalid.statusCode, 422);
    t.match(invalid.body, /Choose a payment method/);
    t.equal(
      (await agent.post('/portal/autopay', { ...fields, version: undefined })).headers.location,
      '/portal/autopay',
    );
    t.equal((await order()).length, 4, 'New adds one at the bottom');

    const elsewhere = await aCustomer(db);
    const theirCard = await aPaymentMethod(db, { customerId: elsewhere.id });
    const theirs = await anAutopayConfiguration(db, {
      customerId: elsewhere.id,
      paymentMethodId: theirCard.id,
      conditions: [{ trigger: 'age', operator: 'at_least', values: ['1'] }],
    });
    t.equal((await agent.get(`/portal/autopay/${theirs}/edit`)).statusCode, 404, 'another customer’s');
    t.equal((await agent.post(`/portal/autopay/${theirs}/disable`, { on: 'true' })).statusCode, 404);
    t.equal((await agent.post(`/portal/autopay/${theirs}`, fields)).statusCode, 404);

    const payer = await signInToPortal(app, (await aPortalContact(db, customer, { permissions: ['pay'] })).email!);
    t.equal((await payer.get('/portal/autopay/new')).statusCode, 403);
    t.equal((await payer.post(`/portal/autopay/${third}/disable`, { on: 'true' })).statusCode, 403);
    t.equal((await payer.post('/portal/autopay/order', { move: `${second}:up` })).statusCode, 403);
  },
);
