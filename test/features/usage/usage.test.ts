import { Readable } from 'node:stream';
import t from 'tap';
import { importCdrs } from '../../../src/features/usage/import.ts';
import { cdrRow, usualCdrRow } from '../../../src/features/usage/schemas.ts';
import type { aCustomer } from '../../fixtures/customers.ts';
import { aUsageRate, aVoiceService, cdrFile, uploadCdrFile } from '../../fixtures/usage.ts';
import { buildTestApp, csrfTokenIn, demoUsers, signIn } from '../../helpers/app.ts';

const actor = { userId: null };

async function acmeWithAService(db: Parameters<typeof aCustomer>[0]) {
  const acme = await db('customers').where('name', 'Acme Plumbing Ltd').first('id');
  await aVoiceService(db, { customerId: acme.id, number: '01217370001', monthlyCents: 1_500, startsOn: '2026-10-01' });
  await aUsageRate(db, { prefix: '44', perMinuteMillicents: 10_000 });
  await aUsageRate(db, { prefix: '447', perMinuteMillicents: 20_000 });
  return acme.id as number;
}

const file = cdrFile([
  'c1,01217370001,442071234567,2026-11-02T10:00:00Z,61', // 66 s at 10c = 11c
  'c2,01217370001,447700900123,2026-11-02T11:00:00Z,30', // minimum 60 s at 20c = 20c
  'c3,01217370001,abc,2026-11-02T12:00:00Z,30', // bad destination
  'c4,01217370001,3312345,2026-11-03T12:00:00Z,10', // kept, unrated: no rate for 33
  'c1,01217370001,442071234567,2026-11-02T10:00:00Z,61', // duplicate of line 2
  'c5,01217370001,442071234567,yesterday,30', // bad date
  'c6,09999999999,442071234567,2026-11-02T10:00:00Z,30', // no service has the number
  'c7,01217370001,442071234567,2026-11-02T10:00:00Z', // too few columns
]);

t.test(
  'an import keeps good rows, reports exactly the bad ones by line, and adds nothing the second time',
  async (t) => {
    const { db } = await buildTestApp(t);
    const acme = await acmeWithAService(db);
    const first = await importCdrs(db, Readable.from([file]), { filename: 'nov.csv', actor });
    t.same(
      first.detail.map((b) => b.line),
      [4, 7, 8, 9],
      'bad destination, bad date, unknown number, short row',
    );
    t.match(first.detail[0].reason, /destination must be digits/);
    t.match(first.detail[2].reason, /no active service has the number 09999999999/);
    t.match(first, { rowsRead: 8, imported: 3, duplicates: 1, badRows: 4 });
    const calls = await db('cdrs')
      .where('customer_id', acme)
      .orderBy('call_id')
      .select('call_id', 'billed_seconds', 'rated_cents');
    t.same(calls, [
      { call_id: 'c1', billed_seconds: 66, rated_cents: 11 },
      { call_id: 'c2', billed_seconds: 60, rated_cents: 20 },
      { call_id: 'c4', billed_seconds: null, rated_cents: null },
    ]);

    const again = await importCdrs(db, Readable.from([file]), { filename: 'nov.csv', actor });
    t.match(again, { imported: 0, duplicates: 4, badRows: 4 });
    t.equal((await db('cdrs').count({ n: '*' }).first())?.n, 3, 'the same file again adds nothing');
  },
);

t.test(
  'the quick row check agrees with cdrRow: what it accepts, cdrRow accepts alike; the usual rows it accepts',
  async (t) => {
    const values = {
      call_id: ['c1', ' c2 ', '', '  ', 'x'.repeat(100), 'x'.repeat(101), undefined],
      number: [
        '01217370001',
        '0121 737 0001',
        '+44121',
        '(0121)',
        '1'.repeat(20),
        '1'.repeat(21),
        '',
        'abc',
        undefined,
      ],
      destination: ['442071234567', '44-20', '', '1e5', '１２'],
      started_at: [
        '2026-11-02T10:00:00Z',
        '2026-11-02 10:00:00',
        '2026-11-02T10:00Z',
        '2026-11-02T10:00:00+01:00',
        '2026-11-02T10:00:00.250Z',
        '2026-02-30T10:00:00Z',
        '2026-13-02T10:00:00Z',
        '2026-11-02T24:00:00Z',
        '2026-11-02T25:00:00Z',
        'yesterday',
        undefined,
      ],
      duration_seconds: ['0', '61', '00061', '86400', '86401', '99999', '-1', '1.5', ' 7', '1e3', '', 'x', undefined],
    };
    let accepted = 0;
    let checked = 0;
    for (const call_id of values.call_id)
      for (const number of values.number)
        for (const destination of values.destination)
          for (const started_at of values.started_at)
            for (const duration_seconds of values.duration_seconds) {
              const record = { call_id, number, destination, started_at, duration_seconds };
              const usual = usualCdrRow(record);
              checked++;
              if (!usual) continue;
              accepted++;
              const parsed = cdrRow.safeParse(record);
              if (!parsed.success || JSON.stringify(parsed.data) !== JSON.stringify(usual))
                t.fail(`${JSON.stringify(record)}: ${JSON.stringify(usual)} against ${JSON.stringify(parsed)}`);
            }
    t.ok(accepted > 50 && accepted < checked, `${accepted} of ${checked} rows taken by the quick check`);
    t.same(
      usualCdrRow({
        call_id: 'c1',
        number: '01217370001',
        destination: '442071234567',
        started_at: '2026-11-02T10:00:00Z',
        duration_seconds: '61',
      }),
      {
        call_id: 'c1',
        number: '01217370001',
        destination: '442071234567',
        started_at: '2026-11-02T10:00:00.000Z',
        duration_seconds: 61,
      },
    );
  },
);

t.test('Call Records: an admin uploads a file and sees the bad rows; Unbilled CDRs lists the calls', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await acmeWithAService(db);
  const admin = await signIn(app, demoUsers.admin);
  const page = await admin.get('/usage');
  t.equal(page.statusCode, 200);
  const uploaded = await uploadCdrFile(admin, csrfTokenIn(page.body), 'nov.csv', file);
  t.equal(uploaded.statusCode, 303);
  const result = await admin.get(uploaded.headers.location as string);
  t.match(result.body, /3<\/strong> imported/);
  t.match(result.body, /<td class="num">9<\/td><td>Invalid Record Length/);

  const tab = await admin.get(`/customers/${acme}/billing/unbilled-cdrs`);
  t.equal(tab.statusCode, 200);
  t.match(tab.body, /\$0\.31<\/strong> on 3 unbilled calls/);
  t.match(tab.body, /1 without a rate/);
  t.match(tab.body, /447700900123/);

  const noFile = await uploadCdrFile(admin, csrfTokenIn(page.body), '', '');
  t.equal(noFile.statusCode, 422, 'no file chosen: the form again with the message');
  t.match(noFile.body, /Choose a CSV file/);

  const noToken = await uploadCdrFile(admin, 'forged', 'nov.csv', file);
  t.equal(noToken.statusCode, 403, 'a wrong CSRF token is refused before the file is read');
  t.equal((await db('cdr_imports').count({ n: '*' }).first())?.n, 1);
});

t.test('usage rates: added with validation beside the fields; unrated calls are rated at once', async (t) => {
  const { app, db } = await buildTestApp(t);
  await acmeWithAService(db);
  await importCdrs(db, Readable.from([file]), { filename: 'nov.csv', actor });
  const admin = await signIn(app, demoUsers.admin);
  const list = await db('price_lists').orderBy('id').first('id');
  const page = await admin.get(`/usage/rates?price_list=${list.id}&prefix=33`);
  t.match(page.body, /name="prefix" value="33"/);
  const bad = await admin.post('/usage/rates', {
    price_list_id: list.id,
    prefix: '33x',
    per_minute: 'lots',
    minimum_seconds: 60,
    increment_seconds: 6,
  });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, /id="prefix-error"/);
  t.match(bad.body, /id="per_minute-error"/);
  t.match(bad.body, /value="lots"/, 'the form comes back filled in');
  const good = await admin.post('/usage/rates', {
    price_list_id: list.id,
    prefix: '33',
    per_minute: '0.05',
    minimum_seconds: 1,
    increment_seconds: 1,
  });
  t.equal(good.statusCode, 303);
  t.same(await db('cdrs').where('call_id', 'c4').first('billed_seconds', 'rated_cents'), {
    billed_seconds: 10,
    rated_cents: 1,
  });
  const twice = await admin.post('/usage/rates', {
    price_list_id: list.id,
    prefix: '33',
    per_minute: '0.05',
    minimum_seconds: 1,
    increment_seconds: 1,
  });
  t.equal(twice.statusCode, 422);
});

t.test('wrong role and other tenant', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await acmeWithAService(db);
  const evergreen = await db('customers').where('name', 'Evergreen Dental Practice').first('id');
  const support = await signIn(app, demoUsers.support);
  t.equal((await support.get('/usage')).statusCode, 403);
  t.equal((await support.get('/usage/rates')).statusCode, 403);
  t.equal((await support.get(`/customers/${acme}/billing/unbilled-cdrs`)).statusCode, 200, 'support sees the tab');
  const reseller = await signIn(app, demoUsers.reseller);
  const page = await reseller.get(`/customers/${acme}/billing/unbilled-cdrs`);
  t.equal(page.statusCode, 200);
  t.equal((await uploadCdrFile(reseller, csrfTokenIn(page.body), 'nov.csv', file)).statusCode, 403);
  t.equal(
    (await reseller.get(`/customers/${evergreen.id}/billing/unbilled-cdrs`)).statusCode,
    404,
    "another reseller's customer",
  );
});
