import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { loadConfig } from '../../../src/config.ts';
import { createDb, type Db } from '../../../src/db/index.ts';
import { migrateToLatest } from '../../../src/db/migrate.ts';
import { accountNumberFor } from '../../../src/features/customers/account-number.ts';
import { balanceSummary, customerBalanceCents, openInvoiceTotals } from '../../../src/features/ledger/balance.ts';
import { todayIso } from '../../../src/lib/dates.ts';
import { emptyTestDatabase } from '../../helpers/app.ts';
import { scratchRoot } from '../../helpers/scratch.ts';

const TODAY = '2026-11-25';
const CREATED_AT = '2026-11-01T00:00:00.000Z';

/** An empty migrated database (SQLite, or a PostgreSQL schema when the suite runs there) with two customers. */
async function twoCustomers(t: Test): Promise<{ db: Db; customer: number; other: number }> {
  const dir = mkdtempSync(join(scratchRoot(), 'ledger-balance-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { database } = loadConfig({ NODE_ENV: 'test', ...(await emptyTestDatabase(t, dir)) });
  const db = createDb(database);
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  const [{ id: resellerId }] = await db('resellers')
    .insert({ name: 'Test Reseller', created_at: CREATED_AT })
    .returning('id');
  const ids: number[] = [];
  for (const n of [1, 2]) {
    const [{ id }] = await db('customers')
      .insert({
        account_number: accountNumberFor(n),
        name: `Customer ${n}`,
        kind: 'business',
        reseller_id: resellerId,
        created_at: CREATED_AT,
        updated_at: CREATED_AT,
      })
      .returning('id');
    ids.push(id);
  }
  return { db, customer: ids[0], other: ids[1] };
}

let invoiceSequence = 0;
async function invoice(db: Db, customerId: number, issuedOn: string, dueOn: string, total: number, open: number) {
  const number = `T-${++invoiceSequence}`;
  const [{ id }] = await db('invoices')
    .insert({
      customer_id: customerId,
      number,
      issued_on: issuedOn,
      due_on: dueOn,
      total_cents: total,
      open_cents: open,
      created_at: CREATED_AT,
    })
    .returning('id');
  return { id: id as number, number, issued_on: issuedOn };
}

t.test('one balance: the header, the Balance page and the totals agree, per customer', async (t) => {
  const { db, customer, other } = await twoCustomers(t);
  t.same(
    await balanceSummary(db, customer, TODAY),
    { total_balance_cents: 0, past_due_cents: 0, open_count: 0, oldest_open: null, credits_cents: 0 },
    'a customer without invoices or credits owes nothing',
  );

  await invoice(db, customer, '2026-09-01', '2026-10-01', 10_000, 0); // paid: not open
  const oldest = await invoice(db, customer, '2026-10-01', '2026-11-24', 5_000, 2_500); // past due, partly paid
  await invoice(db, customer, '2026-10-15', TODAY, 7_000, 7_000); // due today: not past due
  await invoice(db, customer, '2026-11-20', '2026-12-20', 1_250, 1_250);
  await invoice(db, other, '2026-01-01', '2026-02-01', 99_900, 99_900); // another customer's
  await db('credits').insert([
    { customer_id: customer, kind: 'memo', amount_cents: 3_000, remaining_cents: 1_000, created_at: CREATED_AT },
    { customer_id: other, kind: 'memo', amount_cents: 4_000, remaining_cents: 4_000, created_at: CREATED_AT },
  ]);

  const totals = { total_balance_cents: 10_750, past_due_cents: 2_500, open_count: 3 };
  t.same(await openInvoiceTotals(db, customer, TODAY), totals, 'sums only the open invoices of this customer');
  t.same(
    await balanceSummary(db, customer, TODAY),
    { ...totals, oldest_open: oldest, credits_cents: 1_000 },
    'the Balance page adds the oldest open invoice and the credits on account',
  );
  t.equal(
    await customerBalanceCents(db, customer),
    (await balanceSummary(db, customer, todayIso())).total_balance_cents,
    'the customer header shows the Balance page’s Total Balance',
  );
});
