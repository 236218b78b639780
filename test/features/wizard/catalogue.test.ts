import t from 'tap';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

t.test('admins manage the catalogue: service types, price lists and the number inventory', async (t) => {
  const { app, db } = await buildTestApp(t);
  const admin = await signIn(app, demoUsers.admin);

  const types = await admin.get('/admin/service-types');
  t.equal(types.statusCode, 200);
  t.match(types.body, /Hosted Voice/);
  t.match(types.body, /SIP Trunk/);
  t.match(types.body, /Fax to E-mail/);

  const hosted = await db('service_types').where({ name: 'Hosted Voice' }).first();
  const settings = await db('service_type_settings').where({ service_type_id: hosted.id }).orderBy('position');
  const page = await admin.get(`/admin/service-types/${hosted.id}`);
  t.match(page.body, /Caller display name/);

  const form: Record<string, string> = {
    name: 'Hosted Voice',
    description: hosted.description,
    version: String(hosted.version),
  };
  for (const s of settings)
    Object.assign(form, {
      [`label_${s.id}`]: s.label,
      [`default_${s.id}`]: s.default_value,
      [`required_${s.id}`]: s.required ? 'on' : '',
    });
  const blank = await admin.post(`/admin/service-types/${hosted.id}`, { ...form, description: '' });
  t.equal(blank.statusCode, 422, 'a service type needs a description');
  t.match(blank.body, /Describe the service/);

  const ringTime = settings.find((s) => s.key === 'ring_time');
  const saved = await admin.post(`/admin/service-types/${hosted.id}`, {
    ...form,
    [`default_${ringTime.id}`]: '25',
    new_label: 'Music on hold',
    new_kind: 'on-off',
    new_default: 'off',
  });
  t.equal(saved.statusCode, 303);
  t.equal(
    (await db('service_type_settings').where({ id: ringTime.id }).first()).default_value,
    '25',
    'the default changed',
  );
  t.ok(
    await db('service_type_settings')
      .where({ service_type_id: hosted.id, key: 'music_on_hold', kind: 'on-off' })
      .first(),
    'a setting was added',
  );
  t.ok(
    await db('audit_events')
      .where({ entity: 'service_type_settings', entity_id: ringTime.id, field: 'default_value', new_value: '25' })
      .first(),
    'the change is audited',
  );

  const added = await db('service_type_settings').where({ service_type_id: hosted.id, key: 'music_on_hold' }).first();
  const stale = await admin.post(`/admin/service-types/${hosted.id}`, { ...form, [`label_${added.id}`]: 'Hold music' });
  t.equal(stale.statusCode, 409, 'a stale edit is refused');

  const lists = await admin.get('/admin/price-lists');
  t.match(lists.body, /Business Standard/);
  t.match(lists.body, /Partner Discount/);
  const created = await admin.post('/admin/price-lists', { name: 'Charity Rates' });
  t.equal(created.statusCode, 303);
  const charity = await db('price_lists').where({ name: 'Charity Rates' }).first();
  const duplicate = await admin.post('/admin/price-lists', { name: 'Charity Rates' });
  t.equal(duplicate.statusCode, 422);
  t.match(duplicate.body, /Another price list has this name/);

  const bad = await admin.post(`/admin/price-lists/${charity.id}`, {
    name: 'Charity Rates',
    version: '1',
    [`service_${hosted.id}_monthly`]: 'ten',
    [`service_${hosted.id}_setup`]: '0',
  });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, /Enter an amount like 12.50/);
  t.match(bad.body, /value="ten"/, 'the form comes back as typed');
  const good = await admin.post(`/admin/price-lists/${charity.id}`, {
    name: 'Charity Rates',
    version: '1',
    [`service_${hosted.id}_monthly`]: '9.99',
    [`service_${hosted.id}_setup`]: '',
    grade_gold_monthly: '1',
    grade_gold_setup: '5',
  });
  t.equal(good.statusCode, 303);
  const items = await db('price_list_items').where({ price_list_id: charity.id }).orderBy('id');
  t.same(
    items.map((i) => [i.service_type_id, i.grade, i.monthly_cents, i.setup_cents]),
    [
      [hosted.id, null, 999, 0],
      [null, 'gold', 100, 500],
    ],
  );

  const numbers = await admin.get('/admin/numbers?digits=0121737000');
  t.match(numbers.body, /01217370001/);
  const second = await admin.get('/admin/numbers?grade=standard');
  t.match(second.body, /Next page/, 'a long list is paginated');
});

t.test('a CSV import adds numbers, and reports every bad line without importing any', async (t) => {
  const { app, db } = await buildTestApp(t);
  const admin = await signIn(app, demoUsers.admin);
  await admin.get('/admin/numbers/import');
  const upload = async (csv: string) => {
    const boundary = '----ledgerdesk';
    const token = (admin as unknown as { csrfToken: string }).csrfToken;
    const payload = [
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="numbers.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n`,
      `--${boundary}--\r\n`,
    ].join('');
    return admin.request({
      method: 'POST',
      url: `/admin/numbers/import?_csrf=${encodeURIComponent(token)}`,
      payload,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
  };

  const bad = await upload(
    'number,grade,pool\n0113 496 0000,gold\n12345,standard\n01134960001,diamond\n01134960002,,LD9999999\n',
  );
  t.equal(bad.statusCode, 422);
  t.match(bad.body, /Line 3: “12345” is not a phone number/);
  t.match(bad.body, /Line 4: “diamond” is not a grade/);
  t.match(bad.body, /Line 5: No customer has the account number/);
  t.equal(
    (await db('phone_numbers').where('number', 'like', '0113496%').count({ c: '*' }))[0].c,
    0,
    'nothing was imported',
  );

  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  const good = await upload(
    `number,grade,pool\n0113 496 0000,gold\n01134965271\n01134961111,,${acme.account_number}\n01217370000,standard\n`,
  );
  t.equal(good.statusCode, 303);
  const imported = await db('phone_numbers').where('number', 'like', '0113496%').orderBy('number');
  t.same(
    imported.map((n) => [n.number, n.prefix, n.grade, n.pool_customer_id]),
    [
      ['01134960000', '0113496', 'gold', null],
      ['01134961111', '0113496', 'platinum', acme.id],
      ['01134965271', '0113496', 'standard', null],
    ],
  );
  const flash = await admin.get('/admin/numbers');
  t.match(flash.body, /3 numbers imported; 1 were already in the inventory/);
});

t.test('only admins reach the catalogue pages', async (t) => {
  const { app } = await buildTestApp(t);
  for (const who of [demoUsers.support, demoUsers.reseller]) {
    const agent = await signIn(app, who);
    for (const url of ['/admin/service-types', '/admin/price-lists', '/admin/numbers', '/admin/numbers/import']) {
      t.equal((await agent.get(url)).statusCode, 403, `${who} gets 403 on ${url}`);
    }
  }
});
