import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import t from 'tap';
import { backupSqlite } from '../../src/db/backup.ts';
import { todayIso } from '../../src/lib/dates.ts';
import { aCardForm } from '../fixtures/billing.ts';
import { aStaffUser } from '../fixtures/staff.ts';
import { Agent, buildTestApp } from '../helpers/app.ts';
import { tablesOf } from './table-list.ts';

const passesLuhn = (digits: string) =>
  [...digits].reverse().reduce((sum, d, i) => {
    const n = Number(d) * (i % 2 ? 2 : 1);
    return sum + (n > 9 ? n - 9 : n);
  }, 0) %
    10 ===
  0;

/**
 * Luhn-valid runs of 13–19 digits (spaces and dashes between groups allowed, as people type them). A
 * bare 13-digit run that reads as a time within a year of now is a millisecond timestamp, not a card.
 */
function cardNumbersIn(text: string): string[] {
  const found: string[] = [];
  const runs = /(?<![\d.])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{4,5})(?![\d])/g;
  for (const match of text.matchAll(runs)) {
    const digits = match[0].replace(/[ -]/g, '');
    const timestamp = digits.length === 13 && Math.abs(Number(digits) - Date.now()) < 366 * 86_400_000;
    // A migration's name in knex_migrations: YYYYMMDDHHMMSS then "_" (one in ten of them passes Luhn).
    const migration =
      /^20\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])[0-5]\d[0-5]\d$/.test(digits) &&
      text[(match.index ?? 0) + match[0].length] === '_';
    if (passesLuhn(digits) && !timestamp && !migration)
      found.push(`${match[0]} in …${text.slice(Math.max(0, (match.index ?? 0) - 60), (match.index ?? 0) + 40)}…`);
  }
  return found;
}

t.test('after sign-in, adding a card and paying, no card number, password or session id is kept', async (t) => {
  const log = new PassThrough();
  const logged: string[] = [];
  log.on('data', (chunk) => logged.push(String(chunk)));
  const { app, db, config, dir } = await buildTestApp(t, { LOG_LEVEL: 'trace' }, { logStream: log });
  t.equal(cardNumbersIn('card 4242 4242 4242 4242, 5555555555554444; 4242424242424241 2026-11-18').length, 2);
  t.same(cardNumbersIn('20261201010000_organisations_counter'), [], 'a migration name is not a card number');
  t.equal(cardNumbersIn('20261201010000 ').length, 1, 'the same digits alone are');

  const password = `Pw-${randomUUID()}`;
  const user = await aStaffUser(db, { role: 'support', password });
  const agent = new Agent(app);
  await agent.get('/login');
  const signedIn = await agent.post('/login', { email: user.email, password });
  t.equal(signedIn.statusCode, 303);
  const sessionId = signedIn.cookies.find((c) => c.name === 'ledgerdesk.sid')!.value.split('.')[0];
  t.ok(sessionId.length > 20, 'the session id is known to the test');

  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  const base = `/customers/${acme.id}/billing`;
  await agent.get(`${base}/payment-methods/new`);
  const cardNumber = '4242 4242 4242 4242';
  const saved = await agent.post(
    `${base}/payment-methods`,
    aCardForm({ friendly_name: 'Secret test Visa', holder_name: 'Sam Secret', card_number: cardNumber }),
  );
  t.equal(saved.statusCode, 303, 'the card is saved');
  const method = await db('payment_methods').where({ friendly_name: 'Secret test Visa' }).first();
  const invoice = await db('invoices').where('customer_id', acme.id).where('open_cents', '>', 0).orderBy('id').first();
  const form = await agent.get(`${base}/payments/new?invoice_ids=${invoice.id}`);
  const paid = await agent.post(`${base}/payments`, {
    invoice_ids: String(invoice.id),
    amount: '1.00',
    payment_method_id: String(method.id),
    paid_on: todayIso(),
    keep_remainder: 'on',
    idempotency_key: /name="idempotency_key" value="([^"]+)"/.exec(form.body)![1],
  });
  t.equal(paid.statusCode, 303, 'the payment is made');

  const dump: string[] = [];
  for (const table of (await tablesOf(db)).rows) dump.push(JSON.stringify(await db(table).select('*')));
  const sources: [string, string][] = [
    ['the database dump', dump.join('\n')],
    ['the log', logged.join('')],
  ];
  if (config.database.kind === 'sqlite') {
    const backup = join(dir, 'secrets-backup.sqlite');
    await backupSqlite(config.database.file, backup);
    // The file's bytes for the number itself (binary pages hold chance digit runs), its rows for any number.
    const bytes = readFileSync(backup).toString('latin1');
    t.notOk(
      bytes.includes(cardNumber.replace(/ /g, '')) || bytes.includes(cardNumber),
      'no card number in the backup file',
    );
    t.notOk(bytes.includes(password) || bytes.includes(sessionId), 'no password or session id in the backup file');
    const copy = new Database(backup, { readonly: true });
    t.teardown(() => copy.close());
    const tables = copy.prepare("select name from sqlite_master where type = 'table'").pluck().all() as string[];
    sources.push([
      'a backup',
      tables.map((name) => JSON.stringify(copy.prepare(`select * from "${name}"`).all())).join('\n'),
    ]);
  }
  t.ok(logged.join('').includes('/payments'), 'the log saw the session');
  for (const [where, text] of sources) {
    t.same(cardNumbersIn(text), [], `no card number in ${where}`);
    t.notOk(text.includes(password), `no password in ${where}`);
    t.notOk(text.includes(sessionId), `no session id in ${where}`);
  }
});
