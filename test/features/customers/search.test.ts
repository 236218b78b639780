import t from 'tap';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';
import { customerId } from '../../helpers/customers.ts';

t.test(
  'search finds customers by phone number and effective external customer number; Inventory filters and pages; Recently Viewed lists the last opened',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const agent = await signIn(app, demoUsers.support);
    const names = async (q: string) =>
      [
        ...(await agent.get(`/customers?q=${encodeURIComponent(q)}`)).body.matchAll(
          /<a href="\/customers\/\d+\/open">([^<]+)<\/a>/g,
        ),
      ].map((m) => m[1]);
    t.same(await names('555 0100 231'), ['Acme Plumbing Ltd'], 'the phone number');
    t.same(await names('SL-778'), ['Acme Plumbing Ltd'], "the group's external number");
    t.same(
      await names('bu-100234'),
      ['Baker &amp; Sons Bakery', 'Carla Jensen'],
      "the institution's number, also through a group without one, not for a group with its own",
    );
    t.same(await names('SMH-300'), [], 'an institution number applies to no customer of a similar-named institution');

    const inventory = await agent.get('/customers/inventory?status=active&kind=business');
    t.equal(inventory.statusCode, 200);
    t.match(inventory.body, /Acme Plumbing Ltd/);
    t.notMatch(inventory.body, /Delta Freight Services/, 'a suspended customer is filtered out');
    t.notMatch(inventory.body, /Carla Jensen/, 'a personal account is filtered out');
    const reseller = (await db('resellers').where({ name: 'Northwind Telecom' }).first('id')).id;
    const now = new Date().toISOString();
    await db('customers').insert(
      Array.from({ length: 60 }, (_, i) => ({
        account_number: `LD20000${String(i).padStart(2, '0')}`,
        name: `Zulu Paging ${String(i).padStart(2, '0')}`,
        kind: 'business',
        reseller_id: reseller,
        created_at: now,
        updated_at: now,
      })),
    );
    const first = await agent.get('/customers/inventory?kind=business');
    const next = /href="(\/customers\/inventory\?kind=business&amp;after_name=[^"]+)"/
      .exec(first.body)![1]
      .replace(/&amp;/g, '&');
    const second = await agent.get(next);
    t.match(second.body, /Zulu Paging 59/, 'the next page continues after the last name');
    t.notMatch(second.body, /Acme Plumbing/, 'and does not repeat the first');

    const acme = await customerId(db, 'Acme Plumbing Ltd');
    const frank = await customerId(db, 'Frank Osei');
    await agent.get(`/customers/${frank}`);
    await agent.get(`/customers/${acme}/documents`);
    await agent.get(`/customers/${acme}/notes-that-do-not-exist`);
    const recent = await agent.get('/customers/recent');
    t.same(
      [...recent.body.matchAll(/<a href="\/customers\/\d+\/open">([^<]+)<\/a>/g)].map((m) => m[1]),
      ['Acme Plumbing Ltd', 'Frank Osei'],
      'newest first, each once',
    );
    const other = await signIn(app, demoUsers.admin);
    t.notMatch((await other.get('/customers/recent')).body, /Acme Plumbing/, 'per user');
  },
);
