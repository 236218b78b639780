import t from 'tap';
import type { Db } from '../../../../src/db/index.ts';
import { anAutopayConfiguration } from '../../../fixtures/billing.ts';
import { Agent, buildTestApp, demoUsers, signIn } from '../../../helpers/app.ts';

/** Acme (Northwind) with its card, and two configurations: "amount > 250" then "age at least 30". */
async function acmeWithAutopay(db: Db) {
  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  const card = await db('payment_methods').where('customer_id', acme.id).first();
  const first = await anAutopayConfiguration(db, {
    customerId: acme.id,
    paymentMethodId: card.id,
    conditions: [{ trigger: 'amount', operator: 'greater_than', values: ['250'] }],
  });
  const second = await anAutopayConfiguration(db, {
    customerId: acme.id,
    paymentMethodId: card.id,
    conditions: [{ trigger: 'age', operator: 'at_least', values: ['30'] }],
  });
  return { acme, card, first, second, base: `/customers/${acme.id}/billing/automatic-payments` };
}

const positions = async (db: Db, customerId: number) =>
  db('autopay_configurations').where('customer_id', customerId).orderBy('position').pluck('id');

t.test('the Autopay page lists configurations in order with a dry run; other tenants get 404', async (t) => {
  const { app, db } = await buildTestApp(t);
  const { base, first, second } = await acmeWithAutopay(db);
  const northwind = await signIn(app, demoUsers.reseller);
  const page = await northwind.get(base);
  t.equal(page.statusCode, 200);
  t.match(page.body, /Pays when Dollar Amount greater than \$250\.00/);
  t.ok(page.body.indexOf(`data-id="${first}"`) < page.body.indexOf(`data-id="${second}"`), 'in precedence order');
  // The $264 "Business fibre" invoice has $50 scheduled on it; the two past-due ones are 40 and 45 days old.
  t.match(page.body, /This cycle would pay/);
  t.match(page.body, /because a payment on it is scheduled/);
  const sortable = /src="(\/vendor\/sortablejs\/Sortable\.min\.[0-9a-f]{12}\.js)"/.exec(page.body)?.[1];
  t.ok(sortable, 'SortableJS linked by its fingerprinted name');
  const fragment = await northwind.get(`${base}?date=2030-01-01`, { htmx: true });
  t.notMatch(fragment.body, /<html/, 'htmx gets the list and dry run alone');
  t.match(fragment.body, /value="2030-01-01"/);
  const contoso = await signIn(app, demoUsers.reseller2);
  for (const url of [base, `${base}/new`, `${base}/${first}/edit`])
    t.equal((await contoso.get(url)).statusCode, 404, `Contoso's reseller gets 404 for ${url}`);
  for (const url of [base, `${base}/${first}`, `${base}/order`, `${base}/${first}/lock`, `${base}/${first}/disable`])
    t.equal((await contoso.post(url, { on: 'true', move: `${first}:down` })).statusCode, 404, `no post to ${url}`);
  t.equal((await new Agent(app).get(base)).statusCode, 303, 'signed out: sent to sign in');
  t.equal((await app.inject({ url: sortable! })).statusCode, 200, 'SortableJS from node_modules');
});

t.test('New: saves a valid configuration, audited; a bad one comes back filled in with the reasons', async (t) => {
  const { app, db } = await buildTestApp(t);
  const { acme, card, base } = await acmeWithAutopay(db);
  const support = await signIn(app, demoUsers.support);
  const form = await support.get(`${base}/new`);
  t.match(form.body, /Advanced/);
  t.match(form.body, /<option value="Business fibre">/, 'known line item names offered');

  const added = await support.post(base, {
    intent: 'add_row',
    payment_method_id: card.id,
    trigger: 'amount',
    operator: 'greater_than',
    value: '100',
  });
  t.equal(added.statusCode, 200);
  t.equal((added.body.match(/data-row/g) ?? []).length, 2, 'the green + adds a row without saving');
  t.match(added.body, /id="trigger-1" name="trigger" data-trigger autofocus/, 'the new row takes the focus');

  const bad = await support.post(base, {
    intent: 'save',
    payment_method_id: card.id,
    trigger: ['amount', 'line_item', 'age'],
    operator: ['greater_than', 'one_of', 'at_least'],
    value: ['lots', 'Business fibre, Gold plating', '15'],
  });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, /Row 1: “lots” is not a dollar amount/);
  t.match(bad.body, /Row 2: “Gold plating” is not a line item/);
  t.match(bad.body, /value="Business fibre, Gold plating"/, 'typed values come back');
  const noMethod = await support.post(base, {
    payment_method_id: '',
    trigger: 'age',
    operator: 'at_least',
    value: '3',
  });
  t.equal(noMethod.statusCode, 422);
  t.match(noMethod.body, /Choose a payment method/);

  const saved = await support.post(base, {
    intent: 'save',
    payment_method_id: card.id,
    trigger: ['amount', 'line_item'],
    operator: ['greater_than', 'one_of'],
    value: ['250', 'business fibre, Call charges'],
  });
  t.equal(saved.statusCode, 303);
  const row = await db('autopay_configurations').where('customer_id', acme.id).orderBy('position', 'desc').first();
  t.equal(row.position, 3, 'added at the bottom');
  t.same(JSON.parse(row.conditions)[1], {
    trigger: 'line_item',
    operator: 'one_of',
    values: ['business fibre', 'Call charges'],
  });
  const audit = await db('audit_events').where({ entity: 'autopay_configurations', entity_id: row.id });
  t.same(audit.map((e: { field: string }) => e.field).sort(), ['conditions', 'payment_method_id', 'position']);
  t.ok(
    audit.every((e: { actor_user_id: number | null }) => e.actor_user_id !== null),
    'by the signed-in user',
  );

  const edit = await support.get(`${base}/${row.id}/edit`);
  t.match(edit.body, /value="business fibre, Call charges"/);
  const changed = await support.post(`${base}/${row.id}`, {
    payment_method_id: card.id,
    trigger: 'amount',
    operator: 'greater_than',
    value: '300',
    version: row.version,
  });
  t.equal(changed.statusCode, 303);
  const stale = await support.post(`${base}/${row.id}`, {
    payment_method_id: card.id,
    trigger: 'amount',
    operator: 'greater_than',
    value: '400',
    version: row.version,
  });
  t.equal(stale.statusCode, 409, 'an edit of an older version is refused');
});

t.test('reorder by drag (whole order) or by the arrows, lock and DISABLE: each audited', async (t) => {
  const { app, db } = await buildTestApp(t);
  const { acme, base, first, second } = await acmeWithAutopay(db);
  const northwind = await signIn(app, demoUsers.reseller);
  const moved = await northwind.post(`${base}/order`, { move: `${second}:up`, order: [String(first), String(second)] });
  t.equal(moved.statusCode, 303);
  t.same(await positions(db, acme.id), [second, first], 'the arrow wins over the order fields sent with it');
  const dragged = await northwind.post(`${base}/order`, { order: [String(first), String(second)] }, { htmx: true });
  t.equal(dragged.statusCode, 200);
  t.match(dragged.body, /id="autopay"/, 'htmx gets the list back');
  t.same(await positions(db, acme.id), [first, second]);
  t.equal(
    (await northwind.post(`${base}/order`, { order: [String(first)] })).statusCode,
    409,
    'an order missing one is refused',
  );
  t.equal((await northwind.post(`${base}/order`, { move: 'sideways' })).statusCode, 400);

  t.equal((await northwind.post(`${base}/${first}/lock`, { on: 'true' })).statusCode, 303);
  t.equal((await northwind.post(`${base}/${second}/disable`, { on: 'true' })).statusCode, 303);
  const rows = await db('autopay_configurations').where('customer_id', acme.id).orderBy('position');
  t.equal(Boolean(rows[0].locked), true);
  t.equal(Boolean(rows[1].disabled), true);
  const page = await northwind.get(base);
  t.match(page.body, /aria-pressed="true" aria-label="Lock configuration 1"/);
  t.match(page.body, /ENABLE configuration 2/);
  const fields = await db('audit_events')
    .where('entity', 'autopay_configurations')
    .where('action', 'update')
    .pluck('field');
  t.same(fields.sort(), ['disabled', 'locked', 'position', 'position', 'position', 'position']);
  t.equal((await northwind.post(`${base}/${first}/lock`, { on: 'maybe' })).statusCode, 400);
});

t.test(
  'the Invoice Summary flags matching rules and the calendar forecasts Autopay, from the same engine',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const { acme } = await acmeWithAutopay(db);
    const billing = `/customers/${acme.id}/billing`;
    const northwind = await signIn(app, demoUsers.reseller);
    // Acme's open invoices: $45.00 (40 days old), $100.00 (45 days) and $264.00 (5 days, $50.00 scheduled).
    const [callCharges, monthly, fibre] = await db('invoices')
      .where('customer_id', acme.id)
      .where('open_cents', '>', 0)
      .orderBy('id');
    const old = await northwind.get(`${billing}/invoices/${monthly.id}`);
    t.match(old.body, /Matches an Autopay rule/);
    t.match(old.body, /Configuration 2: pays when Invoice Age \(days\) at least 30/);
    t.match(old.body, /Today’s Autopay cycle would pay \$100\.00/);
    const current = await northwind.get(`${billing}/invoices/${fibre.id}`);
    t.match(current.body, /Configuration 1: pays when Dollar Amount greater than \$250\.00/);
    t.match(current.body, /Autopay skips it today because a payment on it is scheduled/);
    t.notMatch(
      (await northwind.get(`${billing}/invoices/${callCharges.id}`)).body,
      /Configuration 1:/,
      'a $45.00 invoice does not match "amount > 250"',
    );

    const today = new Date().toISOString().slice(0, 10);
    const calendar = await northwind.get(`${billing}/calendar?day=${today}`);
    t.match(calendar.body, /2AP \$145\.00/, 'today: the two old invoices');
    t.match(calendar.body, /Autopay forecast:<\/strong> 2 payments, \$145\.00/);
  },
);
