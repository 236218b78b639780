import t from 'tap';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';
t.test('smoke', async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.admin);
  const c = await db('customers').orderBy('id').first();
  await db('customers').where({id: c.id}).update({is_corporate: true});
  const paths = ['account-summary','','/edit','/locations','/linked-accounts','/communications','/communications/letters','/communications/letters?template=welcome','/tickets','/documents','/facilities','/orders','/billing','/billing/transactions','/products','/alerts','/users','/metrics','/metrics/field-changes','/metrics/access-trail','/metrics/activity-log','/additional-information'];
  for (const p of paths) {
    const url = `/customers/${c.id}${p.startsWith('/') || p === '' ? p : '/' + p}`;
    const r = await agent.get(url);
    if (r.statusCode !== 200) console.log(url, r.statusCode, r.body.slice(0, 2000));
  }
  for (const u of ['/customers/inventory', '/customers/recent', '/my-settings', `/customers/${c.id}/open`]) {
    const r = await agent.get(u);
    console.log(u, r.statusCode, r.headers.location ?? '');
  }
});
