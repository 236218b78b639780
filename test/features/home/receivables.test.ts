import t from 'tap';
import { toStaffPrincipal } from '../../../src/auth/staff-users.ts';
import { columnChart, niceCeiling } from '../../../src/features/home/column-chart.ts';
import { homeJobHandlers } from '../../../src/features/home/jobs.ts';
import { receivables, refreshReceivables } from '../../../src/features/home/receivables.ts';
import type { Job } from '../../../src/jobs/queue.ts';
import { addDays, todayIso } from '../../../src/lib/dates.ts';
import { anInvoice } from '../../fixtures/billing.ts';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

const byLabel = (rows: { label: string; cents: number }[]) => Object.fromEntries(rows.map((r) => [r.label, r.cents]));

t.test('open balance by age, payments per day and the largest past-due customers, per tenant', async (t) => {
  const { db, config } = await buildTestApp(t);
  const principal = async (email: string) => toStaffPrincipal(await db('users').where('email', email).first());
  t.equal(await receivables(db, await principal(demoUsers.admin)), null, 'nothing before the first refresh');
  // As the job does it: on the off-loop pool, with the worker's own database handle.
  const job: Job = { id: 1, kind: 'receivables', payload: {}, attempts: 0, runAt: new Date().toISOString() };
  await homeJobHandlers(config).receivables(db, job);
  const all = (await receivables(db, await principal(demoUsers.admin)))!;
  t.same(byLabel(all.aging), {
    Current: 26_400 + 10_000 + 10_000,
    '1–30': 4_500 + 10_000,
    '31–60': 0,
    '61–90': 0,
    'Over 90': 0,
  });
  t.equal(all.collected.length, 30);
  t.equal(all.collected.at(-1)?.day, todayIso());
  t.equal(all.collected.at(-1)?.cents, 10_000, "today's check payment");
  t.match(all.largestPastDue, [
    { name: 'Acme Plumbing Ltd', past_due_cents: 14_500, oldest_due_on: addDays(todayIso(), -20) },
  ]);
  t.equal(all.largestPastDue.length, 1);

  const contoso = (await receivables(db, await principal(demoUsers.reseller2)))!;
  t.same(byLabel(contoso.aging).Current, 10_000, "only Contoso's open invoice");
  t.same(contoso.largestPastDue, [], "Northwind's Acme is not Contoso's");
  t.equal(contoso.collected.at(-1)?.cents, 0);
});

t.test('the home page draws the dashboard as SVG with a table for screen readers; support sees none', async (t) => {
  const { app, db } = await buildTestApp(t);
  const admin = await signIn(app, demoUsers.admin);
  t.match((await admin.get('/')).body, /being computed/, 'before the first refresh');
  await refreshReceivables(db);
  const home = await admin.get('/');
  t.equal(home.statusCode, 200);
  t.match(home.body, /<svg[^>]+role="img"/);
  t.match(home.body, /Open balance by age/);
  t.match(home.body, /<th scope="row">1–30<\/th><td>\$145\.00<\/td>/);
  t.match(home.body, /<a href="\/customers\/\d+">Acme Plumbing Ltd<\/a>/);
  const reseller2 = await signIn(app, demoUsers.reseller2);
  const theirs = await reseller2.get('/');
  t.match(theirs.body, /Receivables/);
  t.notMatch(theirs.body, /Acme Plumbing/);
  const support = await signIn(app, demoUsers.support);
  t.notMatch((await support.get('/')).body, /Receivables/);
});

t.test('column chart geometry: scaled to a round top, every column inside the plot', async (t) => {
  t.equal(niceCeiling(14_500), 20_000);
  t.equal(niceCeiling(46_400), 50_000);
  t.equal(niceCeiling(0), 100);
  const chart = columnChart(
    [
      { label: 'a', cents: 0 },
      { label: 'b', cents: 5_000 },
      { label: 'c', cents: 10_000 },
    ],
    { width: 300, height: 100 },
  );
  t.same(
    chart.columns.map((c) => c.height),
    [0, 32, 64],
  );
  t.ok(chart.columns.every((c) => c.y + c.height === chart.plot.bottom && c.x + c.width <= chart.width));
  t.same(
    chart.gridlines.map((g) => g.cents),
    [0, 5_000, 10_000],
  );
});

t.test('the refresh reads the customers a range at a time and adds up across ranges', async (t) => {
  const { db } = await buildTestApp(t);
  const admin = toStaffPrincipal(await db('users').where('email', demoUsers.admin).first());
  await refreshReceivables(db);
  const before = (await receivables(db, admin))!;
  // Customers far apart in id land in different ranges of the refresh.
  const northwind = await db('resellers').where('name', 'Northwind Telecom').first();
  const now = new Date().toISOString();
  await db('customers').insert({
    id: 45_000,
    account_number: 'LZ0045000',
    name: 'Far Away Ltd',
    kind: 'business',
    status: 'active',
    reseller_id: northwind.id,
    created_at: now,
    updated_at: now,
  });
  await anInvoice(db, { customerId: 45_000, issuedOn: addDays(todayIso(), -130), dueOn: addDays(todayIso(), -100) });
  await refreshReceivables(db);
  const after = (await receivables(db, admin))!;
  t.equal(byLabel(after.aging)['Over 90'], byLabel(before.aging)['Over 90'] + 10_000);
  t.ok(
    after.largestPastDue.some((c) => c.name === 'Far Away Ltd' && c.past_due_cents === 10_000),
    'a customer of a later range is counted',
  );
  t.ok(
    after.largestPastDue.some((c) => c.name === 'Acme Plumbing Ltd'),
    'the first range is still counted',
  );
});
