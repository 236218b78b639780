import t from 'tap';
import { aTaxRate } from '../../fixtures/bill-run.ts';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

const gbVat = { name: 'GB VAT', country: 'GB', kind: 'recurring', rate: 20_000 } as const;

t.test('an admin edits a tax rate in its row: errors beside the fields, saved and audited', async (t) => {
  const { app, db } = await buildTestApp(t);
  const rate = await aTaxRate(db, gbVat);
  const admin = await signIn(app, demoUsers.admin);
  const page = await admin.get('/taxes');
  t.match(page.body, `aria-label="Edit tax rate GB VAT"`);
  t.match(page.body, `hx-delete="/taxes/rates/${rate.id}"`);

  const editing = await admin.get(`/taxes/rates/${rate.id}/edit`, { htmx: true });
  t.equal(editing.statusCode, 200);
  t.notMatch(editing.body, /<html/, 'htmx gets the row alone');
  t.match(editing.body, /name="rate" form="tax-rate-\d+-form" type="text" value="20"/);
  t.match((await admin.get(`/taxes/rates/${rate.id}/edit`)).body, /<html[\s\S]*Edit tax rate/, 'a page without htmx');

  const url = `/taxes/rates/${rate.id}`;
  const form = { name: 'GB VAT', country: 'GB', region: '', city: '', charge_kind: 'recurring', version: '1' };
  const bad = await admin.put(url, { ...form, country: 'GBR', rate: '101' }, { htmx: true });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, `id="tax-rate-${rate.id}-country-error"`);
  t.match(bad.body, `id="tax-rate-${rate.id}-rate-error"`);
  t.match(bad.body, /value="GBR"/, 'the row comes back filled in');

  const saved = await admin.put(url, { ...form, name: 'UK VAT', rate: '17.5' }, { htmx: true });
  t.equal(saved.statusCode, 200);
  t.match(saved.body, /<tr id="tax-rate-\d+"><td>UK VAT<\/td>[\s\S]*17\.5%/, 'the display row again');
  t.match(await db('tax_rates').where('id', rate.id).first(), {
    name: 'UK VAT',
    rate_millipercent: 17_500,
    version: 2,
  });
  const events = await db('audit_events').where({ entity: 'tax_rates', entity_id: rate.id }).orderBy('field');
  t.same(
    events.map((e) => [e.action, e.field, e.old_value, e.new_value]),
    [
      ['update', 'name', 'GB VAT', 'UK VAT'],
      ['update', 'rate_millipercent', '20000', '17500'],
    ],
  );

  const stale = await admin.put(url, { ...form, rate: '5' }, { htmx: true });
  t.equal(stale.statusCode, 409, 'a save over a newer version is refused');
  t.match(stale.body, /Someone else changed this record/);
  t.match(stale.body, /value="UK VAT"/, 'with the current values');

  const plain = await admin.post(url, { ...form, name: 'VAT', rate: '20', version: '2' });
  t.equal(plain.statusCode, 303, 'a plain form goes back to the page');
  t.equal(plain.headers.location, '/taxes');
  const discard = await admin.get(url, { htmx: true });
  t.match(discard.body, /<td>VAT<\/td>[\s\S]*autofocus/, 'Discard: the display row, its pencil focused');
});

t.test('an admin deletes a tax rate after confirming; audited with the values it had', async (t) => {
  const { app, db } = await buildTestApp(t);
  const [first, second] = [await aTaxRate(db, gbVat), await aTaxRate(db, { ...gbVat, name: 'GB levy', kind: 'usage' })];
  const admin = await signIn(app, demoUsers.admin);
  const confirm = await admin.get(`/taxes/rates/${first.id}/delete`);
  t.match(confirm.body, /Delete the tax rate GB VAT\?/);
  t.match(confirm.body, `action="/taxes/rates/${first.id}/delete"`);
  const gone = await admin.delete(`/taxes/rates/${first.id}`, {}, { htmx: true });
  t.equal(gone.statusCode, 200);
  t.equal(gone.body, '', 'htmx swaps the row for nothing');
  const plain = await admin.post(`/taxes/rates/${second.id}/delete`);
  t.equal(plain.statusCode, 303);
  t.equal((await db('tax_rates')).length, 0);
  t.match(await db('audit_events').where({ entity: 'tax_rates', entity_id: first.id, field: 'name' }).first(), {
    action: 'delete',
    old_value: 'GB VAT',
  });
  t.equal((await admin.get(`/taxes/rates/${first.id}/edit`)).statusCode, 404, 'a deleted rate is not found');
  t.equal((await admin.delete(`/taxes/rates/${first.id}`, {}, { htmx: true })).statusCode, 404);
  t.equal((await admin.put('/taxes/rates/999999', { name: 'x' }, { htmx: true })).statusCode, 404);
  t.equal((await admin.get('/taxes/rates/abc/edit')).statusCode, 404);
});

t.test('an admin renews an exemption in its row and deletes one', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await db('customers').where('name', 'Acme Plumbing Ltd').first('id', 'account_number');
  const admin = await signIn(app, demoUsers.admin);
  const added = await admin.post('/taxes/exemptions', {
    account_number: acme.account_number,
    certificate_ref: 'EX-1',
    expires_on: '2030-01-01',
  });
  t.equal(added.statusCode, 303);
  const exemption = await db('tax_exemptions').first();
  t.ok(await db('audit_events').where({ entity: 'tax_exemptions', action: 'create' }).first(), 'adding is audited');
  const url = `/taxes/exemptions/${exemption.id}`;
  t.match((await admin.get(`${url}/edit`, { htmx: true })).body, /value="EX-1"/);

  const bad = await admin.put(url, { certificate_ref: '', expires_on: 'soon', version: '1' }, { htmx: true });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, `id="exemption-${exemption.id}-certificate_ref-error"`);
  t.match(bad.body, `id="exemption-${exemption.id}-expires_on-error"`);
  t.match(bad.body, /value="soon"/);

  const saved = await admin.put(
    url,
    { certificate_ref: 'EX-2', expires_on: '2032-06-30', version: '1' },
    { htmx: true },
  );
  t.equal(saved.statusCode, 200);
  t.match(await db('tax_exemptions').where('id', exemption.id).first(), {
    customer_id: acme.id,
    certificate_ref: 'EX-2',
    expires_on: '2032-06-30',
  });
  t.match(
    await db('audit_events').where({ entity: 'tax_exemptions', field: 'expires_on', action: 'update' }).first(),
    { customer_id: acme.id, old_value: '2030-01-01', new_value: '2032-06-30' },
    "in the customer's history",
  );
  t.match((await admin.get(`${url}/delete`)).body, /Delete exemption EX-2 of Acme Plumbing Ltd\?/);
  t.equal((await admin.delete(url, {}, { htmx: true })).statusCode, 200);
  t.equal((await db('tax_exemptions')).length, 0);
  t.equal((await admin.get(`${url}/edit`)).statusCode, 404);
});

t.test('only admins edit or delete taxes, and only with the CSRF token', async (t) => {
  const { app, db } = await buildTestApp(t);
  const rate = await aTaxRate(db, gbVat);
  const support = await signIn(app, demoUsers.support);
  const url = `/taxes/rates/${rate.id}`;
  t.equal((await support.get(`${url}/edit`)).statusCode, 403);
  t.equal((await support.put(url, { name: 'x', version: '1' }, { htmx: true })).statusCode, 403);
  t.equal((await support.delete(url, {}, { htmx: true })).statusCode, 403);
  const admin = await signIn(app, demoUsers.admin);
  t.equal((await admin.delete(url, {}, { htmx: true, csrf: false })).statusCode, 403, 'no token, no delete');
  t.ok(await db('tax_rates').where('id', rate.id).first(), 'the rate is still there');
});
