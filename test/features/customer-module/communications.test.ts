import t from 'tap';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';
import { customerId } from '../../helpers/customers.ts';

t.test('Communications: notes are added and pinned, letters written from a template keep a copy', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await customerId(db, 'Acme Plumbing Ltd');
  const agent = await signIn(app, demoUsers.support);
  const base = `/customers/${acme}`;
  const empty = await agent.post(`${base}/notes`, { body: '   ', pinned: 'on' });
  t.equal(empty.statusCode, 422);
  t.match(empty.body, /Write the note/);
  t.match(empty.body, /id="pinned" name="pinned" type="checkbox" checked/, 'the box stays ticked');
  t.equal((await agent.post(`${base}/notes`, { body: 'Customer asked for paper invoices.' })).statusCode, 303);
  const note = await db('notes').where({ body: 'Customer asked for paper invoices.' }).first();
  t.equal((await agent.post(`${base}/notes/${note.id}/pin`, { pinned: 'true' })).statusCode, 303);
  t.equal(Number((await db('notes').where({ id: note.id }).first()).pinned), 1);
  t.match(
    (await agent.get(`${base}/account-summary`)).body,
    /Customer asked for paper invoices\./,
    'a pinned note shows on Account Summary',
  );
  const other = await customerId(db, 'Carla Jensen');
  t.equal(
    (await agent.post(`/customers/${other}/notes/${note.id}/pin`, { pinned: 'false' })).statusCode,
    404,
    'a note is reached only through its own customer',
  );

  const started = await agent.get(`${base}/communications/letters?template=welcome`);
  t.match(started.body, /Dear Acme Plumbing Ltd,/);
  t.match(started.body, /Sam Support<\/textarea>/, 'signed by the user');
  const invalid = await agent.post(`${base}/letters`, { template: 'nope', subject: 'Hello', body: '' });
  t.equal(invalid.statusCode, 422);
  t.match(invalid.body, /Write the letter/);
  t.match(invalid.body, /value="Hello"/);
  const written = await agent.post(`${base}/letters`, {
    template: 'welcome',
    subject: 'Welcome aboard',
    body: 'Dear Acme,\nWelcome.',
  });
  t.equal(written.statusCode, 303);
  const copy = await agent.get(written.headers.location as string);
  t.match(copy.body, /Welcome aboard/);
  t.match(copy.body, /Dear Acme,\nWelcome\./);
  const activity = await agent.get(`${base}/metrics/activity-log`);
  t.match(activity.body, /Letter added/);
  t.match(activity.body, /Note changed<\/strong> \(Pinned\)/);
  t.match((await agent.get(`${base}/metrics/field-changes`)).body, /<td>Pinned<\/td><td>false<\/td><td>true<\/td>/);
});
