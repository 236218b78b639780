import { Readable } from 'node:stream';
import t from 'tap';
import type { Db } from '../../../src/db/index.ts';
import { commitBillRun, previewBillRun, startBillRun } from '../../../src/features/bill-run/bill-run.ts';
import { importCdrs } from '../../../src/features/usage/import.ts';
import { aCommissionPlan, aTaxRate, finishedBillRun } from '../../fixtures/bill-run.ts';
import { aCustomer } from '../../fixtures/customers.ts';
import { aUsageRate, aVoiceService, cdrFile } from '../../fixtures/usage.ts';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

// A period far from the test world's invoices, so only this file's services are billed in it.
const PERIOD = '2031-03';
const actor = { userId: null };

/**
 * Acme (Bill To in Leeds, GB; sales person Jo Sales; reseller Northwind) has Hosted Voice from 11 March:
 * $31.00 a month (21 of 31 days: $21.00) and $10.00 set-up; two calls to 44 at 10c a minute (60/6):
 * 61 s (11c) and 120 s (20c). GB taxes recurring at 20% and usage at 10%. A customer without a Bill
 * To location has a service too.
 */
async function aPeriodToBill(db: Db) {
  const acme = (await db('customers').where('name', 'Acme Plumbing Ltd').first('id')).id as number;
  await db('customers').where('id', acme).update({ sales_person: 'Jo Sales' });
  const service = await aVoiceService(db, {
    customerId: acme,
    number: '01217370001',
    monthlyCents: 3_100,
    setupCents: 1_000,
    startsOn: '2031-03-11',
  });
  await aUsageRate(db, { prefix: '44', perMinuteMillicents: 10_000 });
  await importCdrs(
    db,
    Readable.from([
      cdrFile([
        'a1,01217370001,442071234567,2031-03-12T10:00:00Z,61',
        'a2,01217370001,442071234567,2031-03-13T10:00:00Z,120',
        'a3,01217370001,442071234567,2031-04-01T10:00:00Z,120',
      ]),
    ]),
    { filename: 'march.csv', actor },
  );
  await aTaxRate(db, { name: 'GB VAT', country: 'GB', kind: 'recurring', rate: 20_000 });
  await aTaxRate(db, { name: 'GB usage levy', country: 'GB', kind: 'usage', rate: 10_000 });
  await aTaxRate(db, { name: 'US federal', country: 'US', kind: 'recurring', rate: 5_000 });
  await aCommissionPlan(db, { name: 'Sales', payee: 'sales_person', recurring: 1_000, usage: 500, setup: 0 });
  await aCommissionPlan(db, { name: 'Resellers', payee: 'reseller', recurring: 200, usage: 200, setup: 200 });
  const noBillTo = await aCustomer(db, { name: 'Nowhere Ltd' });
  await aVoiceService(db, {
    customerId: noBillTo.id,
    number: '01217370002',
    monthlyCents: 1_000,
    startsOn: '2031-01-01',
  });
  return { acme, service: service.id, noBillTo: noBillTo.id };
}

t.test(
  'a period commits one invoice per customer with its lines, taxes and commissions; twice makes nothing new',
  async (t) => {
    const { db } = await buildTestApp(t);
    const { acme, noBillTo } = await aPeriodToBill(db);

    const preview = await previewBillRun(db, PERIOD);
    t.match(preview, { customers: 2, invoices: 1, problemCount: 1 });
    t.same(
      preview.problems.map((p) => [p.customerId, p.kind, p.fixHref]),
      [[noBillTo, 'no-bill-to', `/customers/${noBillTo}/locations`]],
    );
    t.equal(
      await db('invoices').where('customer_id', acme).where('memo', `Bill run ${PERIOD}`).first(),
      undefined,
      'a preview writes nothing',
    );

    const run = await startBillRun(db, PERIOD, actor);
    await commitBillRun(db, run);
    t.match(await db('bill_runs').where('id', run).first(), {
      status: 'done',
      customers_done: 2,
      invoices_made: 1,
      errors_count: 1,
    });
    const invoice = await db('invoices').where('customer_id', acme).where('memo', `Bill run ${PERIOD}`).first();
    const lines = await db('invoice_lines')
      .where('invoice_id', invoice.id)
      .orderBy('position')
      .select('description', 'amount_cents');
    t.same(
      lines.map((l) => l.amount_cents),
      [2_100, 1_000, 31, 420, 3],
      '21/31 of $31.00, set-up, 11c + 20c of calls, 20% of $21.00, 10% of 31c (3.1c → 3c)',
    );
    t.match(lines[0].description, /Hosted Voice 2031-03 \(21 of 31 days\)/);
    t.match(lines[3].description, /GB VAT \(20%\)/);
    t.equal(invoice.total_cents, 2_100 + 1_000 + 31 + 420 + 3, 'the total is the sum of the lines to the cent');
    t.equal(invoice.issued_on, '2031-03-31');
    t.same(
      (await db('cdrs').where('customer_id', acme).orderBy('call_id').select('invoice_id')).map((c) => c.invoice_id),
      [invoice.id, invoice.id, null],
      "the period's calls are billed; April's call waits",
    );
    t.same(
      await db('commission_accruals').orderBy('plan_id').select('payee_kind', 'payee', 'base_cents', 'amount_cents'),
      [
        { payee_kind: 'sales_person', payee: 'Jo Sales', base_cents: 3_131, amount_cents: 210 + 2 },
        { payee_kind: 'reseller', payee: 'Northwind Telecom', base_cents: 3_131, amount_cents: 42 + 1 + 20 },
      ],
    );
    t.same(await db('bill_run_problems').where('bill_run_id', run).select('customer_id', 'kind'), [
      { customer_id: noBillTo, kind: 'no-bill-to' },
    ]);

    const again = await startBillRun(db, PERIOD, actor);
    await commitBillRun(db, again);
    t.equal(
      (await db('invoices').where('memo', `Bill run ${PERIOD}`).count({ n: '*' }).first())?.n,
      1,
      'nothing twice',
    );
    t.equal((await db('commission_accruals').count({ n: '*' }).first())?.n, 2);
    t.match(await db('bill_runs').where('id', again).first(), {
      status: 'done',
      customers_total: 1,
      invoices_made: 0,
      errors_count: 1,
    });

    // A run of the period still "running" blocks another, unless it stopped moving (its process died).
    const stuck = await startBillRun(db, PERIOD, actor);
    await t.rejects(startBillRun(db, PERIOD, actor), { message: /is already running/ });
    await db('bill_runs').where('id', stuck).update({ updated_at: '2020-01-01T00:00:00.000Z' });
    await startBillRun(db, PERIOD, actor);
    t.match(await db('bill_runs').where('id', stuck).first(), {
      status: 'failed',
      failure: 'It stopped making progress.',
    });
  },
);

t.test(
  'the Bill Run pages: preview with problems and their fixes, commit off the request, progress polled',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const { acme, noBillTo } = await aPeriodToBill(db);
    const admin = await signIn(app, demoUsers.admin);
    t.equal((await admin.get('/bill-run')).statusCode, 200);

    const bad = await admin.get('/bill-run/preview?period=2031-13');
    t.equal(bad.statusCode, 422);
    t.match(bad.body, /id="period-error"/);

    const preview = await admin.get(`/bill-run/preview?period=${PERIOD}`);
    t.equal(preview.statusCode, 200);
    t.match(preview.body, new RegExp(`href="/customers/${noBillTo}/locations">Add a Bill To location`));
    t.match(preview.body, /<strong>1<\/strong> invoice for <strong>\$35\.54<\/strong>/);

    const committed = await admin.post('/bill-run/runs', { period: PERIOD });
    t.equal(committed.statusCode, 303);
    const runId = Number(/\/bill-run\/runs\/(\d+)/.exec(committed.headers.location as string)?.[1]);
    await finishedBillRun(db, runId);
    const fragment = await admin.get(`/bill-run/runs/${runId}`, { htmx: true });
    t.notMatch(fragment.body, /<html/, 'htmx gets the progress alone');
    t.notMatch(fragment.body, /hx-trigger="every 1s"/, 'a finished run stops polling');
    t.match(fragment.body, /<strong>2<\/strong> of 2 customers done · <strong>1<\/strong> invoice made/);
    t.match(fragment.body, /Add a Bill To location/);
    const invoice = await db('invoices').where('customer_id', acme).where('memo', `Bill run ${PERIOD}`).first('id');
    t.match(fragment.body, `/customers/${acme}/billing/invoices/${invoice.id}`);

    const noToken = await admin.post('/bill-run/runs', { period: PERIOD }, { csrf: false });
    t.equal(noToken.statusCode, 403);
    const noPeriod = await admin.post('/bill-run/runs', { period: 'soon' });
    t.equal(noPeriod.statusCode, 422);
  },
);

t.test('only admins run bills', async (t) => {
  const { app } = await buildTestApp(t);
  for (const who of [demoUsers.support, demoUsers.reseller]) {
    const user = await signIn(app, who);
    t.equal((await user.get('/bill-run')).statusCode, 403);
    t.equal((await user.get(`/bill-run/preview?period=${PERIOD}`)).statusCode, 403);
    t.equal((await user.post('/bill-run/runs', { period: PERIOD })).statusCode, 403);
  }
});
