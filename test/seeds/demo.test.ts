import t from 'tap';
import { DEMO_PASSWORD } from '../../seeds/demo/10-core.ts';
import { seedDemoIfEmpty } from '../../seeds/demo/index.ts';
import { buildApp } from '../../src/app.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { commitBillRun, previewBillRun, startBillRun } from '../../src/features/bill-run/bill-run.ts';
import { todayIso } from '../../src/lib/dates.ts';
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

  // A new user can preview and commit this month's bill run at once (D6): one problem of each kind to fix.
  const period = todayIso().slice(0, 7);
  const preview = await previewBillRun(db, period);
  t.ok(preview.invoices >= 1 && preview.taxCents > 0, 'the preview has a taxed invoice to make');
  t.same([...new Set(preview.problems.map((p) => p.kind))].sort(), ['no-bill-to', 'unrated-calls']);
  await commitBillRun(db, await startBillRun(db, period, { userId: null }));
  t.ok(Number((await db('billed_periods').count({ n: '*' }).first())?.n) >= 1, 'committing it makes invoices');
});
