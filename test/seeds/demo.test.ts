import t from 'tap';
import { DEMO_PASSWORD } from '../../seeds/demo/10-core.ts';
import { seedDemoIfEmpty } from '../../seeds/demo/index.ts';
import { buildApp } from '../../src/app.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { demoUsers, openEmptyTestDatabase, signIn } from '../helpers/app.ts';

// The one test on the demo data (what `npm start` shows a new user); every other test has the test world.
t.test('the demo data loads into an empty database, once, and its users sign in', async (t) => {
  const { db, config } = await openEmptyTestDatabase(t);
  await migrateToLatest(db);
  t.equal(await seedDemoIfEmpty(db), true, 'an empty database gets the demo data');
  t.equal(await seedDemoIfEmpty(db), false, 'a database with users does not get it again');
  const app = await buildApp({ config, db });
  t.teardown(() => app.close());
  for (const email of Object.values(demoUsers)) {
    const agent = await signIn(app, email, DEMO_PASSWORD);
    t.match((await agent.get('/')).body, /Good to see you/, `${email} signs in with the demo password`);
  }
  const customers = await db('customers').count({ n: '*' }).first();
  t.ok(Number(customers?.n) > 0, 'there are customers to look at');
});
