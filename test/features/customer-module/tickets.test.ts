import t from 'tap';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';
import { customerId } from '../../helpers/customers.ts';

t.test('Task Tickets are opened, assigned, commented on and closed', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await customerId(db, 'Acme Plumbing Ltd');
  const agent = await signIn(app, demoUsers.reseller);
  const base = `/customers/${acme}`;
  const contosoUser = (await db('users').where({ email: demoUsers.reseller2 }).first('id')).id;
  const invalid = await agent.post(`${base}/tickets`, {
    subject: '',
    description: 'Line drops',
    assignee_user_id: contosoUser,
  });
  t.equal(invalid.statusCode, 422);
  t.match(invalid.body, /Enter a subject/);
  t.match(invalid.body, />Line drops<\/textarea>/);
  const wrongAssignee = await agent.post(`${base}/tickets`, { subject: 'Line drops', assignee_user_id: contosoUser });
  t.equal(wrongAssignee.statusCode, 422, "another reseller's user cannot be assigned");
  t.match(wrongAssignee.body, /Choose someone from the list/);
  const opened = await agent.post(`${base}/tickets`, { subject: 'Line drops', description: '' });
  t.equal(opened.statusCode, 303);
  const ticketUrl = opened.headers.location as string;
  const ticket = await db('tickets').where({ subject: 'Line drops' }).first();
  const me = (await db('users').where({ email: demoUsers.reseller }).first('id')).id;
  t.equal((await agent.post(`${ticketUrl}/assign`, { assignee_user_id: me, version: ticket.version })).statusCode, 303);
  t.equal(
    (await agent.post(`${ticketUrl}/assign`, { assignee_user_id: '', version: ticket.version })).statusCode,
    409,
    'a stale assignment is refused',
  );
  const noComment = await agent.post(`${ticketUrl}/comments`, { body: '' });
  t.equal(noComment.statusCode, 422);
  t.match(noComment.body, /Write the comment/);
  t.equal((await agent.post(`${ticketUrl}/comments`, { body: 'Engineer booked for Tuesday.' })).statusCode, 303);
  t.equal((await agent.post(`${ticketUrl}/close`)).statusCode, 303);
  const page = await agent.get(ticketUrl);
  t.match(page.body, /Engineer booked for Tuesday\./);
  t.match(page.body, /Reopen ticket/);
  t.match((await agent.get(`${base}/tickets?status=closed`)).body, /Line drops/);
  t.notMatch((await agent.get(`${base}/tickets`)).body, /Line drops/, 'closed tickets leave the open list');
  const fields = await agent.get(`${base}/metrics/field-changes`);
  t.match(fields.body, /Task ticket #\d+<\/td><td>Status<\/td><td>open<\/td><td>closed<\/td>/);
  t.match(fields.body, /<td>Assignee user<\/td>/);
  t.match((await agent.get(`${base}/metrics/activity-log`)).body, /Ticket comment added/);
});
