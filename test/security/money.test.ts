import t from 'tap';
import { addDays, todayIso } from '../../src/lib/dates.ts';
import {
  AMOUNT_GROUPING,
  AMOUNT_TOO_LARGE,
  BAD_AMOUNT_MARKER,
  formatCents,
  MAX_CENTS,
  onBadAmount,
  readAmount,
} from '../../src/lib/money.ts';
import { buildTestApp, demoUsers, signIn } from '../helpers/app.ts';

const today = todayIso();

t.test('amounts: commas only as valid thousands groups; nothing above 10^13 cents', async (t) => {
  const cents = (text: string) => {
    const r = readAmount(text);
    return r.ok ? r.cents : r.message;
  };
  t.equal(cents('1,000.00'), 100_000);
  t.equal(cents('$12,345,678.9'), 1_234_567_890);
  t.equal(cents('1000'), 100_000);
  t.equal(cents('0.07'), 7);
  for (const ambiguous of ['1,00', '1,0000', ',100', '1,000,00', '10,00.00', '1,,000', '1.000,00', '1,'])
    t.equal(cents(ambiguous), AMOUNT_GROUPING, `${ambiguous} is refused, not guessed`);
  t.equal(cents('100,000,000,000.00'), MAX_CENTS, 'the bound itself is allowed');
  t.equal(cents('100000000000.01'), AMOUNT_TOO_LARGE);
  t.equal(cents('999999999999.99'), AMOUNT_TOO_LARGE);
  t.equal(cents('0000000000000000000001.00'), 100, 'leading zeros do not count as size');
  t.equal(cents('1e5'), 'Enter an amount like 1,234.50.');
});

t.test('the formatter shows a marker for an amount it cannot show, and reports it', async (t) => {
  const seen: unknown[] = [];
  onBadAmount((v) => seen.push(v));
  t.teardown(() => onBadAmount(() => {}));
  t.equal(formatCents(1e20), BAD_AMOUNT_MARKER);
  t.equal(formatCents(1.5), BAD_AMOUNT_MARKER);
  t.equal(formatCents(MAX_CENTS), '$100,000,000,000.00');
  t.same(seen, [1e20, 1.5]);
});

t.test('forms refuse oversized and ambiguous money beside the field; the database refuses it too', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  const base = `/customers/${acme.id}/billing`;
  const agent = await signIn(app, demoUsers.reseller);
  const invoicesBefore = await db('invoices').count({ n: '*' }).first();
  const invoice = (unit: string, quantity = '100000') =>
    agent.post(`${base}/invoices`, {
      issued_on: today,
      due_on: addDays(today, 30),
      line_description: ['Huge', ''],
      line_quantity: [quantity, ''],
      line_unit: [unit, ''],
    });
  const huge = await invoice('999999999999.99');
  t.equal(huge.statusCode, 422, 'the issue’s invoice is refused');
  t.match(huge.body, /id="line_unit.0-error">At most \$100,000,000,000.00/);
  const product = await invoice('100000000.01');
  t.equal(product.statusCode, 422);
  t.match(product.body, /id="line_unit.0-error">Quantity × price: At most \$100,000,000,000.00/);
  const comma = await invoice('1,00', '1');
  t.equal(comma.statusCode, 422);
  t.match(comma.body, /id="line_unit.0-error">Write thousands as 1,000.00/);
  t.same(await db('invoices').count({ n: '*' }).first(), invoicesBefore, 'nothing was stored');
  const fine = await invoice('1,000.00', '2');
  t.equal(fine.statusCode, 303);
  const created = await db('invoices').orderBy('id', 'desc').first();
  t.equal(Number(created.total_cents), 200_000, '1,000.00 is a thousand dollars');

  const stored = { ...created, id: undefined, number: 'INV-X', total_cents: MAX_CENTS, open_cents: MAX_CENTS };
  await db('invoices').insert(stored);
  await t.rejects(
    db('invoices').insert({ ...stored, number: 'INV-Y', total_cents: MAX_CENTS + 1, open_cents: 1 }),
    'the database refuses a total past the bound',
  );
  await t.rejects(
    db('invoices')
      .where('number', 'INV-X')
      .update({ open_cents: -MAX_CENTS - 1 }),
  );
  const page = await agent.get(base);
  t.equal(page.statusCode, 200, 'a customer with an amount at the bound still has pages');
});
