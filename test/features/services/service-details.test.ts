import t from 'tap';
import type { Db } from '../../../src/db/index.ts';
import { endDueServices } from '../../../src/features/services/changes.ts';
import { addDays, todayIso } from '../../../src/lib/dates.ts';
import { aService } from '../../fixtures/catalogue.ts';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';
import { customerId } from '../../helpers/customers.ts';

const settings = { caller_display_name: 'Acme', ring_time: '20', voicemail: 'on', forwarding_destination: '' };

/** Acme's Hosted Voice service under Business Standard with two silver numbers. */
async function acmeService(db: Db) {
  const hosted = await db('service_types').where({ name: 'Hosted Voice' }).first();
  const standard = await db('price_lists').where({ name: 'Business Standard' }).first();
  return aService(db, {
    customerId: await customerId(db, 'Acme Plumbing Ltd'),
    serviceTypeId: hosted.id,
    priceListId: standard.id,
    numbers: ['01217370003', '01217370004'],
    settings,
  });
}

const statusOf = async (db: Db, number: string) => (await db('phone_numbers').where({ number }).first()).status;

t.test('C8: Service Details adds numbers through the inventory search and removes them into quarantine', async (t) => {
  const { app, db } = await buildTestApp(t);
  const service = await acmeService(db);
  const agent = await signIn(app, demoUsers.reseller);
  const base = `/services/${service.id}`;

  const page = await agent.get(base);
  t.match(page.body, /Add numbers/);
  t.match(page.body, /<label for="prefix">Prefix/, "the wizard's filters");
  const badSearch = await agent.get(`${base}?count=500&prefix=&grade=&method=next&digits=&pool=public`);
  t.equal(badSearch.statusCode, 422);
  t.match(badSearch.body, /Enter how many numbers, from 1 to 50/);
  const search = await agent.get(`${base}?count=3&prefix=0121737&grade=&method=next&digits=&pool=public`);
  t.match(search.body, /aria-label="Add 01217370000"/, 'free numbers are offered');
  t.notMatch(search.body, /aria-label="Add 01217370003"/, 'not the ones the service has');
  const foreignPool = await agent.get(
    `${base}?count=3&method=next&pool=${await customerId(db, 'Evergreen Dental Practice')}`,
  );
  t.match(foreignPool.body, /Choose a pool from the list/, "another customer's pool is not offered");

  const [free] = await db('phone_numbers').where({ number: '01217370001' }).pluck('id');
  const added = await agent.post(`${base}/numbers`, {
    count: '3',
    prefix: '0121737',
    method: 'next',
    pool: 'public',
    add: free,
  });
  t.equal(added.statusCode, 303);
  t.match(added.headers.location, /\?count=3&prefix=0121737.*#add-numbers$/, 'back to the same search');
  t.match((await agent.get(base)).body, /01217370001 added/);
  t.equal(await statusOf(db, '01217370001'), 'assigned');
  const row = await db('service_numbers').where({ phone_number_id: free }).first();
  t.match(
    row,
    { service_id: service.id, monthly_cents: 200, setup_cents: 1_000 },
    "priced by the service's price list",
  );
  t.ok(
    await db('audit_events')
      .where({ entity: 'service_numbers', entity_id: row.id, action: 'create', field: 'number' })
      .first(),
    'the addition is audited',
  );
  const again = await agent.post(`${base}/numbers`, { add: free });
  t.match(
    (await agent.get(again.headers.location!)).body,
    /just taken by someone else/,
    'a number is never added twice',
  );

  const confirm = await agent.get(`${base}/numbers/${row.id}/remove`);
  t.equal(confirm.statusCode, 200, 'Remove asks first, with or without JavaScript');
  t.match(confirm.body, /Keep number/);
  t.match(confirm.body, /90 days of quarantine/);
  t.equal((await agent.post(`${base}/numbers/${row.id}/removal`)).statusCode, 303);
  t.notOk(await db('service_numbers').where({ id: row.id }).first());
  const quarantined = await db('phone_numbers').where({ id: free }).first();
  t.match(quarantined, { status: 'quarantined', customer_id: null });
  t.equal(quarantined.quarantined_until.slice(0, 10), addDays(todayIso(), 90), 'for the days an admin set');
  t.notMatch(
    (await agent.get(`${base}?count=3&prefix=0121737&grade=&method=next&digits=&pool=public`)).body,
    /Add 01217370001"/,
    'a quarantined number is not offered',
  );
  await db('phone_numbers').where({ id: free }).update({ quarantined_until: '2000-01-01T00:00:00.000Z' });
  t.match(
    (await agent.get(`${base}?count=3&prefix=0121737&grade=&method=next&digits=&pool=public`)).body,
    /Add 01217370001"/,
    'and is free again once the quarantine is over',
  );
  const history = (await agent.get(base)).body;
  t.match(history, /added 01217370001/);
  t.match(history, /removed 01217370001/);

  const [, second] = service.numberIds;
  await agent.post(`${base}/numbers/${service.numberIds[0]}/removal`);
  const last = await agent.post(`${base}/numbers/${second}/removal`);
  t.match((await agent.get(last.headers.location!)).body, /needs at least one number, so 01217370004 stays/);
  t.ok(await db('service_numbers').where({ id: second }).first(), 'the last number of a service that needs one stays');

  const contoso = await signIn(app, demoUsers.reseller2);
  t.equal((await contoso.post(`${base}/numbers`, { add: free })).statusCode, 404, "another reseller's service");
  t.equal((await contoso.get(`${base}/numbers/${second}/remove`)).statusCode, 404);
});

t.test(
  'C8: the price list changes, repricing the service and its numbers, audited; a list without a price is refused',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const service = await acmeService(db);
    const agent = await signIn(app, demoUsers.support);
    const base = `/services/${service.id}`;
    const partner = await db('price_lists').where({ name: 'Partner Discount' }).first();
    const changed = await agent.post(`${base}/price-list`, { price_list_id: partner.id, version: 1 });
    t.equal(changed.statusCode, 303);
    t.match(await db('services').where({ id: service.id }).first(), {
      price_list_id: partner.id,
      monthly_cents: 1_200,
      setup_cents: 0,
      version: 2,
    });
    t.same(
      (await db('service_numbers').where({ service_id: service.id })).map((n) => n.monthly_cents),
      [150, 150],
      'silver numbers at Partner Discount prices',
    );
    t.ok(await db('audit_events').where({ entity: 'services', entity_id: service.id, field: 'price_list_id' }).first());
    t.match(
      (await agent.get(base)).body,
      /price list from “Business Standard” to “Partner Discount”/,
      'shown in the history, in words',
    );
    t.equal((await agent.post(`${base}/price-list`, { price_list_id: partner.id, version: 1 })).statusCode, 303);
    t.match((await agent.get(base)).body, /Someone else changed this service/, 'a stale change is refused');

    await db('service_numbers').where({ id: service.numberIds[0] }).update({ monthly_cents: 1 });
    await db('phone_numbers').whereIn('number', ['01217370003']).update({ grade: 'platinum' });
    const refused = await agent.post(`${base}/price-list`, { price_list_id: partner.id, version: 2 });
    t.equal(refused.statusCode, 422);
    t.match(refused.body, /Partner Discount has no price for Platinum numbers/);
  },
);

t.test('C8: ending a service: today ends it and quarantines its numbers; a later date waits for the job', async (t) => {
  const { app, db } = await buildTestApp(t);
  const service = await acmeService(db);
  const later = await acmeServiceLater(db);
  const agent = await signIn(app, demoUsers.reseller);
  const base = `/services/${service.id}`;

  const page = await agent.get(`${base}/end`);
  t.match(page.body, /End Hosted Voice #\d+\?/);
  t.match(page.body, /Keep service/);
  const past = await agent.post(`${base}/end`, { ends_on: addDays(todayIso(), -1), version: 1 });
  t.equal(past.statusCode, 422);
  t.match(past.body, /Choose today or a later date/);
  t.equal((await agent.post(`${base}/end`, { ends_on: todayIso(), version: 1 })).statusCode, 303);
  t.match(await db('services').where({ id: service.id }).first(), { status: 'ended', ends_on: todayIso() });
  t.equal(await statusOf(db, '01217370003'), 'quarantined');
  t.ok(
    await db('audit_events')
      .where({ entity: 'services', entity_id: service.id, action: 'status', new_value: 'ended' })
      .first(),
    'the status change is audited',
  );
  const ended = await agent.get(base);
  t.match(ended.body, /This service has ended/);
  t.notMatch(ended.body, /Add numbers/, 'an ended service takes no more changes');
  t.equal((await agent.post(`${base}/numbers`, { add: 1 })).statusCode, 409);

  const tomorrow = addDays(todayIso(), 1);
  const laterBase = `/services/${later.id}`;
  t.equal((await agent.post(`${laterBase}/end`, { ends_on: tomorrow, version: 1 })).statusCode, 303);
  t.match(await db('services').where({ id: later.id }).first(), { status: 'active', ends_on: tomorrow });
  t.equal(await endDueServices(db), 0, 'nothing is due today');
  t.equal(await endDueServices(db, tomorrow), 1, 'the job ends it on its day');
  t.match(await db('services').where({ id: later.id }).first(), { status: 'ended' });
  t.equal(await statusOf(db, '01217370010'), 'quarantined');
});

/** A second Acme service, with one number of its own. */
async function acmeServiceLater(db: Db) {
  const first = await db('services').first('service_type_id', 'price_list_id', 'customer_id');
  return aService(db, {
    customerId: first.customer_id,
    serviceTypeId: first.service_type_id,
    priceListId: first.price_list_id,
    numbers: ['01217370010'],
    settings,
  });
}

t.test('C8: an admin sets the quarantine in Settings', async (t) => {
  const { app, db } = await buildTestApp(t);
  const admin = await signIn(app, demoUsers.admin);
  t.match((await admin.get('/settings')).body, /Number quarantine \(days\)/);
  const bad = await admin.post('/settings', { external_billing_enabled: 'on', number_quarantine_days: '400' });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, /Enter a whole number of days from 0 to 365/);
  t.equal(
    (await admin.post('/settings', { external_billing_enabled: 'on', number_quarantine_days: '30' })).statusCode,
    303,
  );
  t.equal((await db('settings').where({ key: 'number_quarantine_days' }).first()).value, '30');
  const support = await signIn(app, demoUsers.support);
  t.equal((await support.post('/settings', { number_quarantine_days: '1' })).statusCode, 403);
});
