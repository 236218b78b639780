import t from 'tap';
import type { Db } from '../../../src/db/index.ts';
import { type Agent, buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

/** A wizard for Acme with Hosted Voice and three public numbers, on its Settings tab; returns its URL maker and the numbers' ids. */
async function toSettings(agent: Agent, db: Db) {
  const started = await agent.post('/wizard');
  const base = String(started.headers.location).replace(/\/customer$/, '');
  const url = (step: string) => `${base}/${step}`;
  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  const hosted = await db('service_types').where({ name: 'Hosted Voice' }).first();
  await agent.post(url('customer'), {
    customer_mode: 'existing',
    account_number: acme.account_number,
    pin: '1234',
    action: 'next',
  });
  await agent.post(url('service'), { service_type_id: hosted.id, action: 'next' });
  const ids: number[] = await db('phone_numbers')
    .whereIn('number', ['01217370000', '01217370001', '01217370002'])
    .orderBy('number')
    .pluck('id');
  const filters = { count: '5', prefix: '0121737', grade: '', method: 'next', digits: '', pool: 'public' };
  await agent.post(url('numbers'), { ...filters, action: 'add-ticked', ticked: ids.map(String) });
  const next = await agent.post(url('numbers'), { ...filters, action: 'next' });
  if (next.headers.location !== url('settings')) throw new Error(`numbers answered ${next.statusCode}`);
  return { url, ids };
}

/** Every number's fields as the Settings form sends them, blank caller names unless given. */
const fieldsOf = (ids: number[], over: Record<string, string> = {}) => ({
  ...Object.fromEntries(
    ids.flatMap((id) => [
      [`n${id}_caller_display_name`, ''],
      [`n${id}_ring_time`, '20'],
      [`n${id}_voicemail`, 'on'],
      [`n${id}_forwarding_destination`, ''],
    ]),
  ),
  ...over,
});

t.test("C4: a number's Update checks that number alone; Next checks the whole set", async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.reseller);
  const { url, ids } = await toSettings(agent, db);
  const [first, second] = ids;

  const updated = await agent.post(url('settings'), {
    quantity: '1',
    ...fieldsOf(ids, { [`n${first}_caller_display_name`]: 'Acme Front Desk' }),
    update_number: String(first),
  });
  t.equal(updated.statusCode, 303, 'the number updated is good, so the others being blank does not matter yet');
  t.equal(updated.headers.location, url('settings'), 'Update stays on the tab');
  t.match((await agent.get(url('settings'))).body, /Settings of 01217370000 updated/);

  const refused = await agent.post(url('settings'), {
    quantity: '1',
    ...fieldsOf(ids, { [`n${second}_ring_time`]: '500' }),
    update_number: String(second),
  });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, /Enter a whole number of seconds from 5 to 120/);
  t.equal(
    [...refused.body.matchAll(/Enter the caller display name/g)].length,
    1,
    "only the updated number's own blank caller name is flagged",
  );
  t.match(refused.body, new RegExp(`id="n${second}_caller_display_name-error"`));
  t.notMatch(refused.body, new RegExp(`id="n${ids[2]}_caller_display_name-error"`), 'not the third number');

  const next = await agent.post(url('settings'), { quantity: '1', ...fieldsOf(ids), action: 'next' });
  t.equal(next.statusCode, 422, 'Next checks every number');
  t.equal([...next.body.matchAll(/Enter the caller display name/g)].length, 3);
});

t.test('C4: a quantity of services spreads the numbers evenly; a service without numbers is refused', async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.reseller);
  const { url, ids } = await toSettings(agent, db);
  const named = fieldsOf(ids, Object.fromEntries(ids.map((id) => [`n${id}_caller_display_name`, 'Acme'])));
  const draftId = url('').split('/')[2];
  const serviceOf = async () =>
    (await db('wizard_draft_numbers').where({ draft_id: draftId }).orderBy('phone_number_id')).map(
      (n) => n.service_index,
    );

  const spread = await agent.post(url('settings'), { quantity: '2', ...named, action: 'next' });
  t.equal(spread.headers.location, url('settings'), 'a new quantity stays on the tab to show where each number goes');
  t.same(await serviceOf(), [1, 1, 2], 'spread evenly in number order');
  const page = await agent.get(url('settings'));
  t.match(page.body, /spread evenly over 2 services/);
  t.match(page.body, new RegExp(`id="n${ids[2]}_service"[\\s\\S]*?<option value="2" selected>Service 2 of 2`));

  const allOnOne = await agent.post(url('settings'), {
    quantity: '2',
    ...named,
    [`n${ids[0]}_service`]: '1',
    [`n${ids[1]}_service`]: '1',
    [`n${ids[2]}_service`]: '1',
    action: 'next',
  });
  t.equal(allOnOne.statusCode, 422, 'Next refuses a service that would have no numbers');
  t.match(allOnOne.body, /Service 2 of 2 would have no numbers/);

  // The validity report and creation refuse it too, however the draft got there.
  await db('wizard_draft_numbers').where({ draft_id: draftId }).update({ service_index: 1 });
  await db('drafts').where({ id: draftId }).update({ reached_step: 6 });
  const report = await agent.get(url('creation'));
  t.match(report.body, /Service 2 of 2 has no numbers, and a Hosted Voice service needs at least one/);
  const create = await agent.post(url('creation'), { agreed: 'on', action: 'create' });
  t.equal(create.statusCode, 422);
  t.equal(
    await db('services')
      .where({ wizard_draft_id: draftId })
      .count({ n: '*' })
      .first()
      .then((r) => Number(r?.n)),
    0,
  );

  await agent.post(url('settings'), { quantity: '3', ...named, action: 'update' });
  t.same(await serviceOf(), [1, 2, 3], 'three services, one number each');
  await agent.post(url('settings'), { quantity: '3', ...named, action: 'next' });
  await agent.post(url('billing'), { action: 'next' });
  const created = await agent.post(url('creation'), { agreed: 'on', action: 'create' });
  t.equal(created.statusCode, 303);
  const services = await db('services').where({ wizard_draft_id: draftId }).pluck('id');
  t.equal(services.length, 3);
  for (const id of services)
    t.equal(
      Number((await db('service_numbers').where({ service_id: id }).count({ n: '*' }).first())?.n),
      1,
      `service ${id} has its number`,
    );
});

t.test('C4: a service type that needs no numbers is created without; the admin says which', async (t) => {
  const { app, db } = await buildTestApp(t);
  const admin = await signIn(app, demoUsers.admin);
  const sip = await db('service_types').where({ name: 'SIP Trunk' }).first();
  t.match((await admin.get(`/admin/service-types/${sip.id}`)).body, /Each service needs at least one number/);
  const saved = await admin.post(`/admin/service-types/${sip.id}`, {
    name: sip.name,
    description: sip.description,
    needs_numbers: 'no',
    version: sip.version,
  });
  t.equal(saved.statusCode, 303);
  t.equal(Number((await db('service_types').where({ id: sip.id }).first()).needs_numbers), 0);
  t.ok(
    await db('audit_events').where({ entity: 'service_types', entity_id: sip.id, field: 'needs_numbers' }).first(),
    'audited',
  );

  const started = await admin.post('/wizard');
  const base = String(started.headers.location).replace(/\/customer$/, '');
  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  await admin.post(`${base}/customer`, {
    customer_mode: 'existing',
    account_number: acme.account_number,
    pin: '1234',
    action: 'next',
  });
  await admin.post(`${base}/service`, { service_type_id: sip.id, action: 'next' });
  const next = await admin.post(`${base}/numbers`, { count: '5', method: 'next', pool: 'public', action: 'next' });
  t.equal(next.headers.location, `${base}/settings`, 'Numbers lets it go on without numbers');
});
