import { parse } from 'csv-parse/sync';
import t from 'tap';
import { aCommissionPlan } from '../../fixtures/bill-run.ts';
import { anInvoice } from '../../fixtures/billing.ts';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

t.test('Taxes: rates per jurisdiction and kind, exemptions per customer; errors beside the fields', async (t) => {
  const { app, db } = await buildTestApp(t);
  const admin = await signIn(app, demoUsers.admin);
  t.match((await admin.get('/taxes')).body, /No tax rates/);

  const bad = await admin.post('/taxes/rates', { name: '', country: 'USA', charge_kind: 'usage', rate: 'ten' });
  t.equal(bad.statusCode, 422);
  for (const field of ['name', 'country', 'rate']) t.match(bad.body, `id="${field}-error"`);
  t.match(bad.body, /value="USA"/, 'the form comes back filled in');

  const good = await admin.post('/taxes/rates', {
    name: 'NY sales tax',
    country: 'us',
    region: 'NY',
    city: '',
    charge_kind: 'usage',
    rate: '8.875',
  });
  t.equal(good.statusCode, 303);
  t.match(await db('tax_rates').first(), {
    country: 'US',
    region: 'NY',
    city: null,
    charge_kind: 'usage',
    rate_millipercent: 8_875,
  });
  t.match((await admin.get('/taxes')).body, /<td class="num">8\.875%<\/td>/);

  const acme = await db('customers').where('name', 'Acme Plumbing Ltd').first('id', 'account_number');
  const unknown = await admin.post('/taxes/exemptions', {
    account_number: 'LD9999999',
    certificate_ref: 'EX-1',
    expires_on: '2030-01-01',
  });
  t.equal(unknown.statusCode, 422);
  t.match(unknown.body, /No customer has this account number/);
  const exempt = await admin.post('/taxes/exemptions', {
    account_number: acme.account_number,
    certificate_ref: 'EX-1',
    expires_on: '2030-01-01',
  });
  t.equal(exempt.statusCode, 303);
  t.match(await db('tax_exemptions').first(), {
    customer_id: acme.id,
    certificate_ref: 'EX-1',
    expires_on: '2030-01-01',
  });
});

t.test('Commissions: plans, the report per period and payee, and its CSV', async (t) => {
  const { app, db } = await buildTestApp(t);
  const admin = await signIn(app, demoUsers.admin);
  const bad = await admin.post('/commissions/plans', {
    name: 'Sales',
    payee_kind: 'boss',
    recurring: '101',
    usage: 'x',
    setup: '0',
  });
  t.equal(bad.statusCode, 422);
  for (const field of ['payee_kind', 'recurring', 'usage']) t.match(bad.body, `id="${field}-error"`);
  const good = await admin.post('/commissions/plans', {
    name: 'Sales',
    payee_kind: 'sales_person',
    recurring: '10',
    usage: '2.5',
    setup: '0',
  });
  t.equal(good.statusCode, 303);
  t.match(await db('commission_plans').first(), { name: 'Sales', recurring_bp: 1_000, usage_bp: 250, setup_bp: 0 });
  t.equal(
    (
      await admin.post('/commissions/plans', {
        name: 'Sales',
        payee_kind: 'reseller',
        recurring: '1',
        usage: '1',
        setup: '1',
      })
    ).statusCode,
    422,
  );

  const plan = await aCommissionPlan(db, {
    name: 'Resellers',
    payee: 'reseller',
    recurring: 200,
    usage: 200,
    setup: 200,
  });
  const acme = await db('customers').where('name', 'Acme Plumbing Ltd').first('id');
  for (const [payee, cents] of [
    ['=Jo', 150],
    ['=Jo', 250],
    ['Northwind Telecom', 75],
  ] as const) {
    const invoice = await anInvoice(db, { customerId: acme.id, issuedOn: '2031-03-31' });
    await db('commission_accruals').insert({
      invoice_id: invoice.id,
      plan_id: plan.id,
      period: '2031-03',
      payee_kind: payee === '=Jo' ? 'sales_person' : 'reseller',
      payee,
      base_cents: 10_000,
      amount_cents: cents,
      created_at: '2031-03-31T00:00:00Z',
    });
  }
  const report = await admin.get('/commissions?period=2031-03');
  t.match(
    report.body,
    /<td>=Jo<\/td><td>Sales person<\/td><td class="num">2<\/td><td class="num">\$200\.00<\/td><td class="num"><strong>\$4\.00/,
  );
  const csv = await admin.get('/commissions/report.csv?period=2031-03');
  t.match(csv.headers['content-disposition'], /commissions-2031-03\.csv/);
  t.same(parse(csv.body, { columns: true }), [
    {
      period: '2031-03',
      payee_kind: 'reseller',
      payee: 'Northwind Telecom',
      invoices: '1',
      billed: '100.00',
      commission: '0.75',
    },
    {
      period: '2031-03',
      payee_kind: 'sales_person',
      payee: "'=Jo",
      invoices: '2',
      billed: '200.00',
      commission: '4.00',
    },
  ]);
});

t.test('only admins see taxes and commissions', async (t) => {
  const { app } = await buildTestApp(t);
  for (const who of [demoUsers.support, demoUsers.reseller]) {
    const user = await signIn(app, who);
    t.equal((await user.get('/taxes')).statusCode, 403);
    t.equal((await user.post('/taxes/rates', { name: 'x' })).statusCode, 403);
    t.equal((await user.get('/commissions')).statusCode, 403);
    t.equal((await user.get('/commissions/report.csv')).statusCode, 403);
  }
});
