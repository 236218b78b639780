import t from 'tap';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';
import { customerId } from '../../helpers/customers.ts';

t.test('Facilities and Alerts: added with validation, removed or cleared, all audited', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await customerId(db, 'Acme Plumbing Ltd');
  const agent = await signIn(app, demoUsers.admin);
  const base = `/customers/${acme}`;
  const invalid = await agent.post(`${base}/facilities`, {
    name: 'Depot T1',
    kind: 'Carrier pigeon',
    circuit_id: 'X-1',
  });
  t.equal(invalid.statusCode, 422);
  t.match(invalid.body, /Choose a type/);
  t.match(invalid.body, /value="Depot T1"/);
  const foreignLocation = (await db('locations').whereNot({ customer_id: acme }).first('id')).id;
  t.match(
    (await agent.post(`${base}/facilities`, { name: 'Depot T1', kind: 'T1', location_id: foreignLocation })).body,
    /Choose one of this customer’s locations/,
  );
  t.equal(
    (await agent.post(`${base}/facilities`, { name: 'Depot T1', kind: 'T1', circuit_id: 'BHM-T1-9' })).statusCode,
    303,
  );
  const facility = await db('facilities').where({ name: 'Depot T1' }).first();
  t.match((await agent.get(`${base}/facilities`)).body, /BHM-T1-9/);
  t.equal((await agent.post(`${base}/facilities/${facility.id}/delete`)).statusCode, 303);

  const noMessage = await agent.post(`${base}/alerts`, { message: '' });
  t.equal(noMessage.statusCode, 422);
  t.match(noMessage.body, /Write the alert/);
  t.equal((await agent.post(`${base}/alerts`, { message: 'Legal hold: do not close.' })).statusCode, 303);
  t.match(
    (await agent.get(`${base}/documents`)).body,
    /Legal hold: do not close\./,
    'the alert shows in the header of other tabs',
  );
  const alert = await db('alerts').where({ message: 'Legal hold: do not close.' }).first();
  t.equal((await agent.post(`${base}/alerts/${alert.id}/clear`)).statusCode, 303);
  t.notMatch((await agent.get(`${base}/documents`)).body, /Legal hold: do not close\./, 'until cleared');
  const activity = await agent.get(`${base}/metrics/activity-log`);
  t.match(activity.body, /Facility added/);
  t.match(activity.body, /Facility removed/);
  t.match(activity.body, /Alert changed<\/strong> \(Cleared at, Cleared by user\)/);
});
