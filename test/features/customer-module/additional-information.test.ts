import t from 'tap';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';
import { customerId } from '../../helpers/customers.ts';

t.test('Edit and Save on Additional Information: trimmed, cleared, audited, stale edits refused', async (t) => {
  const { app, db } = await buildTestApp(t);
  const id = await customerId(db, 'Carla Jensen');
  const agent = await signIn(app, demoUsers.reseller);
  const tab = await agent.get(`/customers/${id}/additional-information`);
  t.equal(tab.statusCode, 200);
  t.match(
    tab.body,
    /<a href="\/customers\/\d+\/additional-information" aria-current="page">Additional Information<\/a>/,
  );
  t.match(tab.body, /id="custom-account-id-value">—/);
  t.match(tab.body, />Edit</);

  const edit = await agent.get(`/customers/${id}/additional-information/edit`);
  t.match(edit.body, /<label for="custom_account_id">Customer Account ID<\/label>/);
  t.match(edit.body, />Save</);
  const saved = await agent.post(`/customers/${id}/additional-information`, {
    custom_account_id: '  CJ-2018-07  ',
    version: 1,
  });
  t.equal(saved.statusCode, 303);
  t.equal(saved.headers.location, `/customers/${id}/additional-information`);
  const after = await agent.get(saved.headers.location!);
  t.match(after.body, /Customer Account ID saved/);
  t.match(after.body, /id="custom-account-id-value">CJ-2018-07</);
  t.match(after.body, /Riley Northwind\s+set it to <span class="mono">CJ-2018-07/, 'the change shows in the history');

  const tooLong = await agent.post(`/customers/${id}/additional-information`, {
    custom_account_id: 'y'.repeat(65),
    version: 2,
  });
  t.equal(tooLong.statusCode, 422);
  t.match(tooLong.body, /at most 64 characters/);

  // htmx: the section swaps in place.
  const htmxEdit = await agent.get(`/customers/${id}/additional-information/edit`, { htmx: true });
  t.notMatch(htmxEdit.body, /<html/);
  t.match(htmxEdit.body, /hx-put="\/customers\/\d+\/additional-information"/);
  const htmxSave = await agent.put(
    `/customers/${id}/additional-information`,
    { custom_account_id: 'CJ-2019', version: 2 },
    { htmx: true },
  );
  t.equal(htmxSave.statusCode, 200);
  t.match(htmxSave.body, /id="custom-account-id-value">CJ-2019</);

  const stale = await agent.post(`/customers/${id}/additional-information`, {
    custom_account_id: 'OLD-TAB',
    version: 2,
  });
  t.equal(stale.statusCode, 409);
  t.match(stale.body, /Someone else changed this record/);
  t.match(stale.body, /now “CJ-2019”/);
  t.equal((await db('customers').where({ id }).first()).custom_account_id, 'CJ-2019');

  t.equal(
    (await agent.post(`/customers/${id}/additional-information`, { custom_account_id: '', version: 3 })).statusCode,
    303,
  );
  t.equal((await db('customers').where({ id }).first()).custom_account_id, null, 'empty clears it');
  const trail = await db('audit_events')
    .where({ entity: 'customers', entity_id: id, field: 'custom_account_id' })
    .orderBy('id');
  t.same(
    trail.map((e) => [e.old_value, e.new_value]),
    [
      [null, 'CJ-2018-07'],
      ['CJ-2018-07', 'CJ-2019'],
      ['CJ-2019', null],
    ],
  );
});
