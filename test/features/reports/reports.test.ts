import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import t from 'tap';
import { effectiveExternalNumbers } from '../../../src/features/external-numbers/external-numbers.ts';
import { openInvoiceTotals } from '../../../src/features/ledger/balance.ts';
import { csvHeader, csvLines } from '../../../src/features/reports/csv.ts';
import { fieldKeys, fieldLabel } from '../../../src/features/reports/fields.ts';
import { reportRows } from '../../../src/features/reports/rows.ts';
import { addDays, todayIso } from '../../../src/lib/dates.ts';
import { centsToDecimal } from '../../../src/lib/money.ts';
import { neutraliseFormula } from '../../../src/lib/spreadsheet.ts';
import { aCustomer } from '../../fixtures/customers.ts';
import { aReport, aService } from '../../fixtures/reports.ts';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

const rowsOf = async (
  db: Parameters<typeof reportRows>[0],
  query: Parameters<typeof reportRows>[1],
  options: Parameters<typeof reportRows>[2] = {},
) => {
  const all = [];
  for await (const batch of reportRows(db, query, options)) all.push(...batch);
  return all;
};

/** Parses our CSV with an independent parser (RFC 4180: quoted cells may hold commas, quotes, line breaks). */
const parseCsv = (text: string): string[][] => parse(text, { relax_column_count: false });

t.test('Add New Report offers every reportable field, Custom Account ID first, and creates the report', async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.reseller);
  const empty = await agent.get('/reports');
  t.equal(empty.statusCode, 200);
  t.match(empty.body, /No reports yet/);

  const form = await agent.get('/reports/new');
  t.equal(form.statusCode, 200);
  const checked = [...form.body.matchAll(/name="fields" value="([a-z_]+)" checked/g)].map((m) => m[1]);
  t.same(checked, fieldKeys, 'every field is checked, in the default order');
  t.equal(checked[0], 'custom_account_id');

  const created = await agent.post('/reports/new', {
    name: 'Monthly balances',
    schedule: 'on-demand',
    period: 'last-month',
    recipients: '',
    order: fieldKeys,
    fields: fieldKeys,
  });
  t.equal(created.statusCode, 303);
  const report = await db('reports').where('name', 'Monthly balances').first();
  const northwind = await db('resellers').where('name', 'Northwind Telecom').first();
  t.equal(report.reseller_id, northwind.id, "a reseller's report covers that reseller");
  t.same(JSON.parse(report.fields)[0], 'custom_account_id');
  t.ok(
    await db('audit_events').where({ entity: 'reports', entity_id: report.id, action: 'create' }).first(),
    'audited',
  );
  const page = await agent.get(created.headers.location as string);
  t.match(page.body, /Monthly balances/);
  t.match(page.body, /Riley Northwind/, 'who created it');
});

t.test('a report form with errors comes back filled in with messages beside the fields', async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.reseller);
  const response = await agent.post('/reports/new', {
    name: '',
    schedule: 'weekly',
    weekday: '',
    period: 'range',
    range_from: '2026-02-01',
    range_to: '2026-01-01',
    recipients: 'not-an-address',
    order: ['name', 'custom_account_id'],
    fields: ['name'],
  });
  t.equal(response.statusCode, 422);
  t.match(response.body, /Give the report a name/);
  t.match(response.body, /Choose the weekday it runs on/);
  t.match(response.body, /The last day cannot be before the first/);
  t.match(response.body, /Enter e-mail addresses separated by commas/);
  t.match(response.body, /value="2026-02-01"/, 'typed values kept');
  t.match(response.body, /name="fields" value="name" checked/);
  t.notMatch(response.body, /name="fields" value="custom_account_id" checked/, 'a deselected field stays deselected');
  t.ok(response.body.indexOf('value="name"') < response.body.indexOf('value="custom_account_id"'), 'order kept');
  t.equal((await db('reports').count({ n: '*' }).first())?.n, 0);
});

t.test('up and down buttons move a field without JavaScript and save nothing', async (t) => {
  const { app, db } = await buildTestApp(t);
  const agent = await signIn(app, demoUsers.reseller);
  const response = await agent.post('/reports/new', {
    name: 'Moved',
    schedule: 'on-demand',
    period: 'last-month',
    order: fieldKeys,
    fields: fieldKeys,
    move: 'down:custom_account_id',
  });
  t.equal(response.statusCode, 200);
  const order = [...response.body.matchAll(/name="order" value="([a-z_]+)"/g)].map((m) => m[1]);
  t.same(order.slice(0, 2), ['account_number', 'custom_account_id']);
  t.match(response.body, /value="Moved"/);
  t.equal((await db('reports').count({ n: '*' }).first())?.n, 0);
});

t.test("guards: support may not use reports; another reseller's report answers 404 everywhere", async (t) => {
  const { app, db } = await buildTestApp(t);
  const northwind = await db('resellers').where('name', 'Northwind Telecom').first();
  const report = await aReport(db, { reseller_id: northwind.id, name: 'Northwind only' });
  const support = await signIn(app, demoUsers.support);
  t.equal((await support.get('/reports')).statusCode, 403);
  t.equal((await support.get(`/reports/${report.id}`)).statusCode, 403);
  const other = await signIn(app, demoUsers.reseller2);
  for (const path of ['', '/run', '/csv', '/edit'])
    t.equal((await other.get(`/reports/${report.id}${path}`)).statusCode, 404, `GET ${path || 'page'}`);
  t.equal((await other.post(`/reports/${report.id}/delete`)).statusCode, 404);
  t.notMatch((await other.get('/reports')).body, /Northwind only/);
  const admin = await signIn(app, demoUsers.admin);
  t.equal((await admin.get(`/reports/${report.id}`)).statusCode, 200);
});

t.test("a report an admin made for a reseller holds only that reseller's customers", async (t) => {
  const { app, db } = await buildTestApp(t);
  const northwind = await db('resellers').where('name', 'Northwind Telecom').first();
  const admin = await signIn(app, demoUsers.admin);
  const created = await admin.post('/reports/new', {
    name: 'For Northwind',
    schedule: 'on-demand',
    period: 'last-month',
    reseller_id: northwind.id,
    order: fieldKeys,
    fields: ['account_number', 'reseller'],
  });
  t.equal(created.statusCode, 303);
  const csv = await admin.get(`${created.headers.location}/csv`);
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /text\/csv/);
  const rows = parseCsv(csv.body);
  t.same(rows[0], ['Account Number', 'Reseller']);
  t.equal(
    rows.length - 1,
    await db('customers')
      .where('reseller_id', northwind.id)
      .count({ n: '*' })
      .first()
      .then((r) => Number(r?.n)),
  );
  t.ok(rows.slice(1).every((r) => r[1] === 'Northwind Telecom'));
  const reseller = await signIn(app, demoUsers.reseller);
  t.equal((await reseller.get(`${created.headers.location}/run`)).statusCode, 200, 'the reseller sees it too');
  const reseller2 = await signIn(app, demoUsers.reseller2);
  t.equal((await reseller2.get(`${created.headers.location}/run`)).statusCode, 404);

  // A reseller posting another reseller's id still gets a report over its own customers.
  const sneaky = await reseller2.post('/reports/new', {
    name: 'Sneaky',
    schedule: 'on-demand',
    period: 'last-month',
    reseller_id: northwind.id,
    order: fieldKeys,
    fields: ['reseller'],
  });
  const sneakyCsv = parseCsv((await reseller2.get(`${sneaky.headers.location}/csv`)).body);
  t.ok(sneakyCsv.slice(1).every((r) => r[0] === 'Contoso Networks'));
});

t.test('every field comes out right for a known customer', async (t) => {
  const { db } = await buildTestApp(t);
  const acme = await db('customers').where('name', 'Acme Plumbing Ltd').first();
  await db('customers').where('id', acme.id).update({ custom_account_id: 'ACME-42' });
  await aService(db, {
    customerId: acme.id,
    serviceType: 'Hosted Voice',
    monthlyCents: 1_500,
    numbers: [
      { number: '01217371200', monthlyCents: 200 },
      { number: '01217371201', monthlyCents: 0 },
    ],
  });
  await aService(db, { customerId: acme.id, serviceType: 'SIP Trunk', monthlyCents: 4_000 });
  // An ended service counts for nothing: not its name, its numbers or its charges.
  const ended = await aService(db, {
    customerId: acme.id,
    serviceType: 'Hosted Voice',
    monthlyCents: 9_000,
    numbers: [{ number: '01217371202', monthlyCents: 300 }],
  });
  await db('services').where('id', ended.id).update({ status: 'ended' });
  const today = todayIso();
  const period = { from: addDays(today, -80), to: today };
  const [row] = (
    await rowsOf(db, { resellerId: acme.reseller_id, filters: {}, fields: fieldKeys, period, today })
  ).filter((r) => r.account_number === acme.account_number);
  const totals = await openInvoiceTotals(db, acme.id, today);
  const invoiced = await db('invoices').where('customer_id', acme.id).sum({ s: 'total_cents' }).first();
  const paid = await db('payments')
    .where({ customer_id: acme.id, status: 'settled' })
    .sum({ s: 'amount_cents' })
    .first();
  const oldest = await db('invoices')
    .where('customer_id', acme.id)
    .where('open_cents', '>', 0)
    .min({ d: 'issued_on' })
    .first();
  t.same(row, {
    custom_account_id: 'ACME-42',
    account_number: acme.account_number,
    name: 'Acme Plumbing Ltd',
    status: 'active',
    kind: 'business',
    reseller: 'Northwind Telecom',
    external_number: 'SL-7781',
    external_number_source: 'Group: Smith Lab',
    bill_to: '1 High Street, Leeds, LS1 1AA, GB',
    billing_contact: 'Priya Acme <billing@acmeplumbingltd.example>',
    services: 'Hosted Voice; SIP Trunk',
    numbers: '01217371200 01217371201',
    recurring: 1_500 + 200 + 4_000,
    invoiced: Number(invoiced?.s),
    paid: Number(paid?.s),
    open_balance: totals.total_balance_cents,
    past_due: totals.past_due_cents,
    oldest_invoice: oldest?.d,
  });
  t.ok(totals.past_due_cents > 0 && Number(paid?.s) > 0, 'the known customer has past-due and paid amounts');

  const filtered = await rowsOf(db, {
    resellerId: null,
    filters: { withPastDueInvoices: true },
    fields: ['name'],
    period,
    today,
  });
  t.same(filtered, [{ name: 'Acme Plumbing Ltd' }], 'only customers with past-due invoices');
  const personal = await rowsOf(db, {
    resellerId: null,
    filters: { kind: 'personal' },
    fields: ['name'],
    period,
    today,
  });
  t.same(personal.map((r) => r.name).sort(), ['Carla Jensen', 'Frank Osei']);

  // The external number is A5's effective number, as effectiveExternalNumbers has it, for every customer of
  // the demo data: a group's number, an institution's alone or through a group without one, and none.
  const customers = await db('customers').orderBy('id').select('id', 'account_number', 'institution_id', 'group_id');
  const effective = await effectiveExternalNumbers(db, customers);
  t.same(
    await rowsOf(db, {
      resellerId: null,
      filters: {},
      fields: ['account_number', 'external_number', 'external_number_source'],
      period,
      today,
    }),
    customers.map((c) => {
      const number = effective.get(c.id);
      return {
        account_number: c.account_number,
        external_number: number?.number ?? null,
        external_number_source: number
          ? `${number.source === 'group' ? 'Group' : 'Institution'}: ${number.sourceName}`
          : null,
      };
    }),
  );
  t.ok(
    new Set([...effective.values()].map((number) => number?.source)).size === 3,
    'the demo data has numbers from groups, from institutions, and none',
  );

  // Each batch covers exactly its keyset range of the report's customers, with the scope and filters.
  for (const scope of [
    { resellerId: acme.reseller_id, filters: {} },
    { resellerId: null, filters: { withOpenInvoices: true } },
    { resellerId: null, filters: { status: 'active', kind: 'business' as const } },
  ]) {
    const query = { ...scope, fields: fieldKeys, period, today };
    const whole = await rowsOf(db, query);
    t.ok(whole.length > 2, `${JSON.stringify(scope)}: ${whole.length} rows, more than a batch`);
    t.same(await rowsOf(db, query, { batchSize: 2 }), whole, 'the same rows in batches of two');
    t.same(await rowsOf(db, query, { batchSize: 2, limit: 3 }), whole.slice(0, 3), 'a limit stops within a batch');
  }
});

t.test('CSV cells: commas, quotes and line breaks quoted; formulas neutralised; money as decimals', async (t) => {
  const { app, db } = await buildTestApp(t);
  const contoso = await db('resellers').where('name', 'Contoso Networks').first();
  const names = [
    'Smith, Jones & Co',
    'The "Best" Ltd',
    'Two\nLines',
    '=HYPERLINK("http://x")',
    '+1 555',
    '-2+3',
    '@SUM(A1)',
  ];
  for (const name of names)
    await aCustomer(db, { name, reseller_id: contoso.id, custom_account_id: name.slice(0, 10) });
  const report = await aReport(db, { reseller_id: contoso.id, fields: ['name', 'open_balance'], filters: {} });
  const agent = await signIn(app, demoUsers.reseller2);
  const response = await agent.get(`/reports/${report.id}/csv`);
  t.match(response.headers['content-disposition'], /attachment; filename=".+\.csv"/);
  const rows = parseCsv(response.body);
  const byName = rows.slice(1).map((r) => r[0]);
  t.ok(byName.includes('Smith, Jones & Co'));
  t.ok(byName.includes('The "Best" Ltd'));
  t.ok(byName.includes('Two\nLines'));
  t.ok(byName.includes(`'=HYPERLINK("http://x")`));
  t.ok(byName.includes("'+1 555"));
  t.ok(byName.includes("'-2+3"));
  t.ok(byName.includes("'@SUM(A1)"));
  t.notOk(
    byName.some((n) => /^[=+\-@]/.test(n)),
    'no cell starts a formula',
  );
  const evergreen = rows.find((r) => r[0] === 'Evergreen Dental Practice');
  t.match(evergreen?.[1], /^\d+\.\d{2}$/);
});

t.test(
  'CSV lines: each cell as csv-stringify quotes it (a lone line break quoted too), money as decimals, formulas neutralised',
  async (t) => {
    // With a record delimiter given, csv-stringify quotes only a whole CRLF unless told to quote a lone CR or LF
    // too, which a spreadsheet would otherwise take for the end of the row.
    const options = { record_delimiter: '\r\n', quote_record_delimiter: true };
    const fields = ['name', 'billing_contact', 'open_balance', 'oldest_invoice'] as const;
    const texts = [
      'plain',
      '',
      'a,b',
      'say "hi"',
      'two\nlines',
      'cr\ronly',
      'crlf\r\nend',
      '"',
      ',',
      ' spaced ',
      'ünïcødé',
      '=SUM(A1)',
      '-5',
    ];
    const rows = texts.map((text, i) => [text, i % 2 ? null : `${text}!`, i * 1234 - 5000, i % 3 ? null : text]);
    const expected = stringify(
      rows.map(([name, contact, cents, oldest]) => [
        neutraliseFormula(name as string),
        contact === null ? '' : neutraliseFormula(contact as string),
        centsToDecimal(cents as number),
        oldest === null ? '' : neutraliseFormula(oldest as string),
      ]),
      options,
    );
    t.equal(csvLines([...fields], rows), expected);
    t.equal(csvHeader([...fields]), stringify([fields.map(fieldLabel)], options));
  },
);

t.test('Run shows the first 100 rows at once; delete asks first without JavaScript', async (t) => {
  const { app, db } = await buildTestApp(t);
  const contoso = await db('resellers').where('name', 'Contoso Networks').first();
  for (let i = 0; i < 120; i++) await aCustomer(db, { reseller_id: contoso.id });
  const report = await aReport(db, { reseller_id: contoso.id, name: 'Everyone', fields: ['account_number', 'name'] });
  const agent = await signIn(app, demoUsers.reseller2);
  const run = await agent.get(`/reports/${report.id}/run`);
  t.equal(run.statusCode, 200);
  t.equal((run.body.match(/<tr>/g) ?? []).length, 1 + 100, 'a header row and 100 rows');
  t.match(run.body, /The first 100 rows/);
  const csvRows = parseCsv((await agent.get(`/reports/${report.id}/csv`)).body);
  t.equal(csvRows.length, 1 + 123, 'the CSV has them all');

  const ask = await agent.post(`/reports/${report.id}/delete`, { ask: '1' });
  t.equal(ask.statusCode, 200);
  t.match(ask.body, /Delete Everyone\?/);
  t.ok(await db('reports').where('id', report.id).first(), 'not deleted yet');
  const deleted = await agent.post(`/reports/${report.id}/delete`);
  t.equal(deleted.statusCode, 303);
  t.notOk(await db('reports').where('id', report.id).first());
  t.ok(await db('audit_events').where({ entity: 'reports', entity_id: report.id, action: 'delete' }).first());
});

t.test('editing a report keeps its values and saves the new order', async (t) => {
  const { app, db } = await buildTestApp(t);
  const contoso = await db('resellers').where('name', 'Contoso Networks').first();
  const report = await aReport(db, { reseller_id: contoso.id, name: 'Old name', fields: ['name', 'status'] });
  const agent = await signIn(app, demoUsers.reseller2);
  const edit = await agent.get(`/reports/${report.id}/edit`);
  t.match(edit.body, /value="Old name"/);
  t.match(edit.body, /name="fields" value="name" checked/);
  t.notMatch(edit.body, /name="fields" value="reseller" checked/);
  const saved = await agent.post(`/reports/${report.id}/edit`, {
    name: 'New name',
    schedule: 'monthly',
    month_day: '3',
    period: 'last-month',
    recipients: 'ops@contoso.example',
    order: ['status', 'name', ...fieldKeys],
    fields: ['name', 'status'],
    version: '1',
  });
  t.equal(saved.statusCode, 303);
  const row = await db('reports').where('id', report.id).first();
  t.equal(row.name, 'New name');
  t.same(JSON.parse(row.fields), ['status', 'name']);
  t.match(row.next_run_at, /-03T06:00:00\.000Z$/, 'the next run follows the schedule');
  const stale = await agent.post(`/reports/${report.id}/edit`, {
    name: 'Stale',
    schedule: 'on-demand',
    period: 'last-month',
    order: fieldKeys,
    fields: ['name'],
    version: '1',
  });
  t.equal(stale.statusCode, 409);
});
