import t from 'tap';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';
import { customerId } from '../../helpers/customers.ts';

t.test('Locations keep exactly one Bill To; Linked Accounts link and unlink child accounts', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await customerId(db, 'Acme Plumbing Ltd');
  const agent = await signIn(app, demoUsers.admin);
  const base = `/customers/${acme}`;
  const invalid = await agent.post(`${base}/locations`, {
    label: 'Yard',
    line1: '',
    city: 'Leeds',
    postal_code: '',
    country: 'XX',
  });
  t.equal(invalid.statusCode, 422);
  t.match(invalid.body, /Enter the street address/);
  t.match(invalid.body, /Choose a country from the list/);
  t.match(invalid.body, /id="label" name="label" type="text" value="Yard"/);
  t.equal(
    (
      await agent.post(`${base}/locations`, {
        label: 'Yard',
        line1: '9 Canal St',
        city: 'Leeds',
        postal_code: 'LS1 1AA',
        country: 'GB',
        is_bill_to: 'on',
      })
    ).statusCode,
    303,
  );
  const billTo = await db('locations').where({ customer_id: acme, is_bill_to: true }).select('label');
  t.same(
    billTo.map((l) => l.label),
    ['Yard'],
    'the new Bill To replaces the old one',
  );
  const headOffice = await db('locations').where({ customer_id: acme, label: 'Head office' }).first();
  const yard = await db('locations').where({ customer_id: acme, label: 'Yard' }).first();
  const unset = await agent.post(`${base}/locations/${yard.id}`, {
    label: 'Yard',
    line1: '9 Canal St',
    city: 'Leeds',
    postal_code: 'LS1 1AA',
    country: 'GB',
    version: yard.version,
  });
  t.equal(unset.statusCode, 422, 'the Bill To cannot just be unticked');
  t.match(unset.body, /A customer needs one Bill To location/);
  t.equal((await agent.post(`${base}/locations/${yard.id}/delete`)).statusCode, 409, 'nor removed');
  t.equal(
    (await agent.post(`${base}/locations/${headOffice.id}/delete`)).statusCode,
    303,
    'another location can be removed',
  );
  t.notOk(await db('locations').where({ id: headOffice.id }).first());

  const fields = await agent.get(`${base}/metrics/field-changes`);
  t.match(fields.body, /Location #\d+<\/td><td>Bill To<\/td><td>true<\/td><td>false<\/td>/);
  t.match((await agent.get(`${base}/metrics/activity-log`)).body, /Location removed/);

  const linkedBefore = await agent.get(`${base}/linked-accounts`);
  t.match(linkedBefore.body, /Baker &amp; Sons Bakery/, 'the demo child account');
  const missing = await agent.post(`${base}/linked-accounts`, { account_number: 'LD9999999' });
  t.equal(missing.statusCode, 422);
  t.match(missing.body, /No account LD9999999 that you can see/);
  t.match(missing.body, /value="LD9999999"/);
  const frank = await db('customers').where({ name: 'Frank Osei' }).first();
  t.match(
    (await agent.post(`${base}/linked-accounts`, { account_number: frank.account_number })).body,
    /Only accounts of the same reseller/,
  );
  const carla = await db('customers').where({ name: 'Carla Jensen' }).first();
  t.equal(
    (await agent.post(`${base}/linked-accounts`, { account_number: carla.account_number.toLowerCase() })).statusCode,
    303,
  );
  t.equal((await db('customers').where({ id: carla.id }).first()).parent_customer_id, acme);
  t.equal((await agent.post(`${base}/linked-accounts/${carla.id}/unlink`)).statusCode, 303);
  t.equal((await db('customers').where({ id: carla.id }).first()).parent_customer_id, null);
  t.equal(
    Number(
      (await db('audit_events')
        .where({ entity: 'customers', entity_id: carla.id, field: 'parent_customer_id' })
        .count({ n: '*' })
        .first())!.n,
    ),
    2,
    'link and unlink are audited on the child',
  );
});
