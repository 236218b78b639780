import t from 'tap';
import { aService } from '../../fixtures/reports.ts';
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

t.test(
  'phone numbers are found whatever their format, service numbers too; accents fold; an over-long term is refused',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const agent = await signIn(app, demoUsers.support);
    const search = async (q: string) => (await agent.get(`/customers?q=${encodeURIComponent(q)}`)).body;
    const names = async (q: string) =>
      [...(await search(q)).matchAll(/<a href="\/customers\/\d+\/open">([^<]+)<\/a>/g)].map((m) => m[1]);
    for (const typed of ['+1 555 0100 231', '5550100231', '(555) 010-0231', '555-0100-231', '15550100231'])
      t.same(await names(typed), ['Acme Plumbing Ltd'], `the phone typed as ${typed}`);

    // A phone changed on Customer Information is searchable in its new format at once.
    const frank = await customerId(db, 'Frank Osei');
    const before = await db('customers').where('id', frank).first();
    const saved = await agent.post(`/customers/${frank}`, {
      name: before.name,
      email: before.email ?? '',
      phone: '0161 496 0123',
      status: before.status,
      version: String(before.version),
    });
    t.equal(saved.statusCode, 303);
    t.same(await names('+44 161 496 0123'), ['Frank Osei'], 'a national number found by its international form');
    t.same(await names('01614960123'), ['Frank Osei'], 'and as written');
    t.notOk(
      await db('audit_events').where({ entity: 'customers', entity_id: frank, field: 'phone_digits' }).first(),
      'the derived digits are not a field change',
    );

    // A number the wizard handed out (assigned to the customer's service) finds the customer.
    const carla = await customerId(db, 'Carla Jensen');
    const number = await db('phone_numbers').where('status', 'available').orderBy('number').first();
    await aService(db, {
      customerId: carla,
      serviceType: 'Hosted Voice',
      monthlyCents: 1000,
      numbers: [{ number: number.number, monthlyCents: 500 }],
    });
    t.same(await names(number.number), ['Carla Jensen'], 'the service number, as stored');
    const spaced = `${number.number.slice(0, 4)} ${number.number.slice(4, 7)} ${number.number.slice(7)}`;
    t.same(await names(spaced), ['Carla Jensen'], 'and with spaces');
    const global = await agent.get(`/search?q=${encodeURIComponent(spaced)}`);
    t.match(global.body, /Carla Jensen/, 'the global search finds it too');

    // Accents fold, and a term is found anywhere in the name.
    await db('customers').where('id', carla).update({ name: 'Café Jensen' });
    t.same(await names('cafe'), ['Café Jensen'], 'cafe finds Café');
    t.same(await names('CAFÉ JEN'), ['Café Jensen']);
    t.same(await names('plumbing'), ['Acme Plumbing Ltd'], 'a word inside the name');

    const long = 'x'.repeat(101);
    const tooLong = await search(long);
    t.match(tooLong, /The search term is too long: use at most 100 characters\./);
    t.same(await names(long), [], 'nothing is listed');
    t.same(await names('y'.repeat(250)), [], 'however long');
  },
);
