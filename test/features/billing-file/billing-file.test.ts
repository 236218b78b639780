import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import t from 'tap';
import type { Db } from '../../../src/db/index.ts';
import { generateFile, markFinal } from '../../../src/features/billing-file/generation.ts';
import { fileParts, finalFiles, linesAddedAfter } from '../../../src/features/billing-file/queries.ts';
import { linesOfPeriod, validatePeriod } from '../../../src/features/billing-file/validation.ts';
import { createExternalNumber, updateExternalNumber } from '../../../src/features/external-numbers/external-numbers.ts';
import { mergeOrg } from '../../../src/features/institutions/institutions.ts';
import { centsToDecimal } from '../../../src/lib/money.ts';
import { anInvoice } from '../../fixtures/billing.ts';
import { anExternalCustomerCharged, theAdmin } from '../../fixtures/billing-file.ts';
import { aGroup, anExternalNumber, anInstitution } from '../../fixtures/institutions.ts';
import { buildTestApp } from '../../helpers/app.ts';

// A period far from the test world's invoices (issued around today), so only this file's charges are in it.
const PERIOD = '2031-03';
const ON = '2031-03-14';
const actor = { userId: null };

async function fileText(db: Db, fileId: number): Promise<string> {
  let text = '';
  for await (const part of fileParts(db, fileId)) text += part;
  return text;
}

async function rowsOf(db: Db, fileId: number): Promise<Record<string, string>[]> {
  return parse(await fileText(db, fileId), { columns: true });
}

t.test('the effective number and its source: group, institution, both, neither', async (t) => {
  const { db } = await buildTestApp(t);
  const admin = await theAdmin(db);
  const uni = await anInstitution(db, 'Quinton University');
  await anExternalNumber(db, { institution_id: uni.id }, 'QU-1');
  const lab = await aGroup(db, 'Quinton Lab', uni.id);
  await anExternalNumber(db, { group_id: lab.id }, 'QL-2');
  const club = await aGroup(db, 'Independent Club', null);
  await anExternalNumber(db, { group_id: club.id }, 'IC-3');
  const bare = await anInstitution(db, 'Bare Institute');

  await anExternalCustomerCharged(db, { name: 'Group Only', groupId: club.id, issuedOn: ON, amounts: [1_000] });
  await anExternalCustomerCharged(db, {
    name: 'Institution Only',
    institutionId: uni.id,
    issuedOn: ON,
    amounts: [2_000],
  });
  await anExternalCustomerCharged(db, {
    name: 'Both',
    institutionId: uni.id,
    groupId: lab.id,
    issuedOn: ON,
    amounts: [3_000, 4_050],
  });
  const neither = await anExternalCustomerCharged(db, {
    name: 'Neither',
    institutionId: bare.id,
    issuedOn: ON,
    amounts: [500],
  });

  const refused = await generateFile(db, admin, PERIOD, actor);
  t.equal(refused.ok, false, 'a customer without a number blocks the file');
  if (refused.ok) return;
  t.same(
    refused.validation.errors.map((e) => [e.kind, e.customer.name]),
    [['missing-number', 'Neither']],
  );
  t.equal(refused.validation.customers, 4);
  t.equal(refused.validation.lines, 5);
  t.equal(refused.validation.cents, 10_550);

  await createExternalNumber(db, { kind: 'institution', orgId: bare.id, number: 'BI-4' }, actor);
  const made = await generateFile(db, admin, PERIOD, actor);
  t.ok(made.ok, 'generated once the number is there');
  if (!made.ok) return;
  const rows = await rowsOf(db, made.fileId);
  const byCustomer = (name: string) => rows.filter((r) => r['Customer Name'] === name);
  t.same(
    byCustomer('Group Only').map((r) => [r['External Customer Number'], r['Number Source'], r['Number Source Name']]),
    [['IC-3', 'Group', 'Independent Club']],
  );
  t.same(
    byCustomer('Institution Only').map((r) => [r['External Customer Number'], r['Number Source']]),
    [['QU-1', 'Institution']],
  );
  t.same(
    byCustomer('Both').map((r) => [r['External Customer Number'], r['Number Source'], r.Amount, r.Tax]),
    [
      ['QL-2', 'Group', '30.00', '0.00'],
      ['QL-2', 'Group', '40.50', '0.00'],
    ],
    'the group beats the institution',
  );
  t.same(
    byCustomer('Neither').map((r) => [r['External Customer Number'], r['Account Number'], r['Invoice Number']]),
    [['BI-4', neither.customer.account_number, neither.invoice.number]],
  );
  const file = await db('billing_files').where('id', made.fileId).first();
  t.match(file, { status: 'draft', row_count: 5 });
  t.equal(Number(file.total_cents), 10_550);
});

t.test('each error kind blocks the file and disappears when fixed', async (t) => {
  const { db } = await buildTestApp(t);
  const admin = await theAdmin(db);
  const north = await anInstitution(db, 'North Clinic');
  const northTwin = await anInstitution(db, 'North-Clinic');
  await anExternalNumber(db, { institution_id: north.id }, 'NC-1');
  const south = await anInstitution(db, 'South Clinic');
  await anExternalNumber(db, { institution_id: south.id }, 'SC-1');
  const southWard = await aGroup(db, 'South Ward', south.id);
  const east = await anInstitution(db, 'East Clinic');
  await anExternalNumber(db, { institution_id: east.id }, 'EC-1');
  await anExternalCustomerCharged(db, {
    name: 'At the twin',
    institutionId: northTwin.id,
    issuedOn: ON,
    amounts: [100],
  });
  const crossed = await anExternalCustomerCharged(db, {
    name: 'Crossed',
    institutionId: east.id,
    groupId: southWard.id,
    issuedOn: ON,
    amounts: [200],
  });
  const kinds = async () => (await validatePeriod(db, admin, PERIOD)).errors.map((e) => `${e.kind} ${e.customer.name}`);

  t.same((await kinds()).sort(), [
    'group-elsewhere Crossed',
    'missing-number At the twin',
    'possible-duplicate At the twin',
  ]);
  const counts = (await validatePeriod(db, admin, PERIOD)).counts;
  t.same(counts, { 'missing-number': 1, 'possible-duplicate': 1, 'group-elsewhere': 1 });
  t.equal((await generateFile(db, admin, PERIOD, actor)).ok, false);

  // The usual fix for a duplicate: merge it into the record that has the number.
  await mergeOrg(db, 'institution', northTwin.id, north.id, actor);
  t.same(await kinds(), ['group-elsewhere Crossed'], 'merging fixes the duplicate and the missing number');
  t.equal((await generateFile(db, admin, PERIOD, actor)).ok, false, 'one error still blocks');

  await db('customers').where('id', crossed.customer.id).update({ group_id: null });
  t.same(await kinds(), []);
  t.equal((await generateFile(db, admin, PERIOD, actor)).ok, true);
});

t.test('an institution that does not bill externally brings no customer into the file', async (t) => {
  const { db } = await buildTestApp(t);
  const admin = await theAdmin(db);
  const internal = await anInstitution(db, 'Our Own Campus');
  await db('institutions').where('id', internal.id).update({ bills_externally: false });
  await anExternalCustomerCharged(db, { name: 'Internal', institutionId: internal.id, issuedOn: ON, amounts: [900] });
  const validation = await validatePeriod(db, admin, PERIOD);
  t.equal(validation.customers, 0);
  t.equal(validation.errorCount, 0);
});

t.test(
  'a final file downloads byte-identical later; a line added after Mark final lands in the next period',
  async (t) => {
    const { db } = await buildTestApp(t);
    const admin = await theAdmin(db);
    const uni = await anInstitution(db, 'Final University');
    const entry = await anExternalNumber(db, { institution_id: uni.id }, 'FU-1');
    const { customer } = await anExternalCustomerCharged(db, {
      name: 'Finn, "the" Customer',
      institutionId: uni.id,
      issuedOn: ON,
      amounts: [1_234],
    });
    const made = await generateFile(db, admin, PERIOD, actor);
    if (!made.ok) throw new Error('expected a file');
    const before = await fileText(db, made.fileId);
    t.equal(
      before.split('\n')[0],
      'External Customer Number,Number Source,Number Source Name,Account Number,Custom Account ID,Customer Name,Invoice Number,Invoice Date,Description,Quantity,Unit Price,Amount,Tax',
    );
    t.match(before, /"Finn, ""the"" Customer"/, 'quoted as CSV');
    t.ok(await markFinal(db, admin, made.fileId, actor));
    const file = await db('billing_files').where('id', made.fileId).first();
    t.equal(file.status, 'final');
    t.equal(file.checksum, createHash('sha256').update(before).digest('hex'));

    // Later changes: the number, and a late charge in the final period.
    await updateExternalNumber(db, entry.id, { number: 'FU-2', version: 1 }, actor);
    await anInvoice(db, {
      customerId: customer.id,
      issuedOn: '2031-03-30',
      lines: [{ description: 'Late charge', quantity: 1, unitCents: 700 }],
    });
    t.equal(await fileText(db, made.fileId), before, 'the final file is the same bytes');
    await t.rejects(
      generateFile(db, admin, PERIOD, actor),
      { message: /billing file for 2031-03 is final/ },
      'a final period is not generated again',
    );
    t.equal(await linesAddedAfter(db, PERIOD, file.through_line_id), 1, 'the page can say how many came late');

    const next = await generateFile(db, admin, '2031-04', actor);
    if (!next.ok) throw new Error('expected a file');
    const rows = await rowsOf(db, next.fileId);
    t.same(
      rows.map((r) => [r.Description, r['Invoice Date'], r['External Customer Number'], r.Amount]),
      [['Late charge', '2031-03-30', 'FU-2', '7.00']],
      'the late line is in the next period with the number as it is now',
    );
    await markFinal(db, admin, next.fileId, actor);

    // A line late for both final periods passes on to the first period that is not final.
    await anInvoice(db, {
      customerId: customer.id,
      issuedOn: '2031-03-31',
      lines: [{ description: 'Very late', quantity: 1, unitCents: 100 }],
    });
    t.same(
      linesOfPeriod('2031-05', await finalFiles(db)).ranges.map((r) => r.period),
      ['2031-05', '2031-04', '2031-03'],
    );
    const may = await generateFile(db, admin, '2031-05', actor);
    if (!may.ok) throw new Error('expected a file');
    t.same(
      (await rowsOf(db, may.fileId)).map((r) => r.Description),
      ['Very late'],
    );
  },
);

t.test('linesOfPeriod and centsToDecimal', async (t) => {
  t.same(
    linesOfPeriod(
      '2031-01',
      new Map([
        ['2030-12', 40],
        ['2030-11', 70],
        ['2030-09', 5],
      ]),
    ),
    {
      ranges: [
        { period: '2031-01', afterLineId: null },
        { period: '2030-12', afterLineId: 40 },
        { period: '2030-11', afterLineId: 70 },
      ],
      throughLineId: null,
    },
  );
  t.same(linesOfPeriod('2031-01', new Map()).ranges, [{ period: '2031-01', afterLineId: null }]);
  t.same([0, 5, 100, 123_456, -250].map(centsToDecimal), ['0.00', '0.05', '1.00', '1234.56', '-2.50']);
});

t.test('a period has at most one final file', async (t) => {
  const { db } = await buildTestApp(t);
  const admin = await theAdmin(db);
  const uni = await anInstitution(db, 'Twice University');
  await anExternalNumber(db, { institution_id: uni.id }, 'TU-1');
  await anExternalCustomerCharged(db, { name: 'Twice', institutionId: uni.id, issuedOn: ON, amounts: [100] });
  const first = await generateFile(db, admin, PERIOD, actor);
  const second = await generateFile(db, admin, PERIOD, actor);
  if (!first.ok || !second.ok) throw new Error('expected two drafts');
  t.same(await markFinal(db, admin, second.fileId, actor), { ok: true });
  await t.rejects(markFinal(db, admin, first.fileId, actor), { message: /is final/ }, 'the other draft stays a draft');
  await t.rejects(
    db('billing_files').where('id', first.fileId).update({ status: 'final' }),
    /unique|UNIQUE/,
    'the database refuses a second final file too',
  );
});

t.test('text typed by users cannot run as a formula when finance opens the file in a spreadsheet', async (t) => {
  const { db } = await buildTestApp(t);
  const admin = await theAdmin(db);
  const uni = await anInstitution(db, '@Risky Institute');
  await anExternalNumber(db, { institution_id: uni.id }, 'RI-1');
  await anExternalCustomerCharged(db, {
    name: '=HYPERLINK("http://evil.example","Pay")',
    institutionId: uni.id,
    issuedOn: ON,
    amounts: [1_250],
  });
  await db('invoice_lines')
    .whereIn('invoice_id', db('invoices').where('issued_on', ON).select('id'))
    .update({ description: '+SUM(A1:A9)' });

  const made = await generateFile(db, admin, PERIOD, actor);
  if (!made.ok) throw new Error('the file was refused');
  const [row] = await rowsOf(db, made.fileId);
  t.same(
    [row['Number Source Name'], row['Customer Name'], row.Description, row.Amount],
    ["'@Risky Institute", `'=HYPERLINK("http://evil.example","Pay")`, "'+SUM(A1:A9)", '12.50'],
    'names and descriptions get a leading apostrophe; amounts stay numbers',
  );
});
