import t from 'tap';
import { verifyPassword } from '../../../src/lib/password.ts';
import { aContact } from '../../fixtures/customers.ts';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';
import { customerId } from '../../helpers/customers.ts';

t.test(
  'Users: Change Password with validation, and Impersonate Customer opens an audited client facing view',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const acme = await customerId(db, 'Acme Plumbing Ltd');
    const contact = await db('contacts').where({ login: 'acme.admin' }).first();
    const agent = await signIn(app, demoUsers.support);
    const base = `/customers/${acme}`;
    t.match((await agent.get(`${base}/users`)).body, /acme\.admin/);
    const short = await agent.post(`${base}/users/${contact.id}/password`, {
      password: 'short',
      password_confirm: 'short',
    });
    t.equal(short.statusCode, 422);
    t.match(short.body, /The password needs at least 10 characters/);
    t.notMatch(short.body, /value="short"/, 'a password is never sent back');
    const mismatch = await agent.post(`${base}/users/${contact.id}/password`, {
      password: 'a long new password',
      password_confirm: 'another one entirely',
    });
    t.match(mismatch.body, /The two passwords do not match/);
    t.equal(
      (
        await agent.post(`${base}/users/${contact.id}/password`, {
          password: 'a long new password',
          password_confirm: 'a long new password',
        })
      ).statusCode,
      303,
    );
    t.ok(
      await verifyPassword(
        'a long new password',
        (await db('contacts').where({ id: contact.id }).first()).password_hash,
      ),
    );
    t.notOk(
      await db('audit_events')
        .where({ entity: 'contacts', entity_id: contact.id })
        .whereILike('new_value', 'scrypt%')
        .first(),
      'the hash is not logged',
    );

    const impersonate = await agent.post(`${base}/users/${contact.id}/impersonate`);
    t.equal(impersonate.headers.location, '/portal');
    const portal = await agent.get('/portal');
    t.equal(portal.statusCode, 200);
    t.match(portal.body, /You are viewing as <strong>/);
    t.match(portal.body, />Stop</);
    const event = await db('audit_events').where({ action: 'impersonate' }).first();
    t.equal(event.acting_as, 'acme.admin');
    t.equal(event.customer_id, acme);
    const activity = await agent.get(`${base}/metrics/activity-log`);
    t.match(
      activity.body,
      /User impersonated<\/strong>\s*<span class="muted">by Sam Support as <span class="mono">acme\.admin<\/span>/,
    );
    t.match(activity.body, /User password changed/);
    t.equal((await agent.post('/portal/impersonation/end')).headers.location, `${base}/users`);
    t.equal((await agent.get('/portal')).statusCode, 403, 'the portal refuses staff once the impersonation ends');
    const other = await signIn(app, demoUsers.reseller2);
    t.equal(
      (await other.post(`${base}/users/${contact.id}/impersonate`)).statusCode,
      404,
      'another reseller cannot impersonate',
    );
  },
);

t.test('Users lists every contact; staff impersonate one that has no logon name or password yet', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await customerId(db, 'Acme Plumbing Ltd');
  const newcomer = await aContact(db, { customer_id: acme, name: 'Nora Newcomer', email: 'nora@acme.example' });
  t.notOk(newcomer.login, 'no logon name');
  const agent = await signIn(app, demoUsers.support);
  const page = await agent.get(`/customers/${acme}/users`);
  t.match(page.body, /Nora Newcomer/);
  t.match(page.body, /no password yet/);
  t.match(page.body, `/customers/${acme}/users/${newcomer.id}/impersonate`);
  t.equal((await agent.post(`/customers/${acme}/users/${newcomer.id}/impersonate`)).headers.location, '/portal');
  const portal = await agent.get('/portal');
  t.equal(portal.statusCode, 200);
  t.match(portal.body, /You are viewing as <strong>Nora Newcomer<\/strong>/);
  const event = await db('audit_events').where({ action: 'impersonate', entity_id: newcomer.id }).first();
  t.equal(event.acting_as, 'nora@acme.example', 'named by its e-mail address');
  const baker = await customerId(db, 'Baker & Sons Bakery');
  t.equal(
    (await agent.post(`/customers/${baker}/users/${newcomer.id}/impersonate`)).statusCode,
    404,
    'a contact is impersonated only through its own customer',
  );
});
