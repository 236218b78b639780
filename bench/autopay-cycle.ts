/**
 * The Autopay cycle at scale (E12, F5): one cycle over 100,000 open invoices of 20,000 customers with one
 * configuration each, while a staff user keeps loading an Autopay page (with its dry run) beside it.
 * Reports the cycle's time, how many invoices it paid, and the event loop's longest stall during it.
 *
 *   node --import tsx bench/autopay-cycle.ts [--customers 20000] [--invoices-each 5] [--db /tmp/…sqlite]
 *
 * Builds a fresh database each run (migrated, demo data, then the generated customers), so runs compare.
 *
 * Figures before and after, each with the load average of its moment: docs/performance.md, "Autopay cycle".
 */
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { seedDemo } from '../seeds/demo/index.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createDb, type Tx } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { runAutopayCycleOffLoop } from '../src/features/ledger/autopay/cycle-worker.ts';
import type { Condition } from '../src/features/ledger/autopay/engine.ts';
import { addDays, nowIso, todayIso } from '../src/lib/dates.ts';
import { seededRandom } from '../src/lib/seeded-random.ts';
import { signIn } from '../test/helpers/app.ts';
import { idleLoopDelay, loadAverage } from './machine.ts';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '20000' },
    'invoices-each': { type: 'string', default: '5' },
    db: { type: 'string', default: '/tmp/ledgerdesk-autopay-bench.sqlite' },
  },
});
const customers = Number(args.customers);
const invoicesEach = Number(args['invoices-each']);
for (const suffix of ['', '-wal', '-shm']) rmSync(`${args.db}${suffix}`, { force: true });

const config = loadConfig({ DB_FILE: args.db, LOG_LEVEL: 'silent' });
const db = createDb(config.database);
await migrateToLatest(db);
await seedDemo(db);

const random = seededRandom(14);
const today = todayIso();
const now = nowIso();
const rules: Condition[][] = [
  [
    { trigger: 'amount', operator: 'greater_than', values: ['250'] },
    { trigger: 'age', operator: 'at_least', values: ['15'] },
  ],
  [{ trigger: 'line_item', operator: 'one_of', values: ['Call charges', 'Number porting'] }],
  [{ trigger: 'age', operator: 'at_least', values: ['45'] }],
  [{ trigger: 'amount', operator: 'at_most', values: ['30'] }],
];
const lineNames = ['Business fibre', 'Call charges', 'Hosted PBX seats', 'Number porting', 'Router rental'];

/** Inserts in chunks inside the transaction (knex's batchInsert would wait for a connection of its own). */
async function insertAll(trx: Tx, table: string, rows: Record<string, unknown>[]) {
  for (let i = 0; i < rows.length; i += 500) await trx(table).insert(rows.slice(i, i + 500));
}

const built = performance.now();
await db.transaction(async (trx) => {
  const reseller = (await trx('resellers').first('id')).id as number;
  const firstId = Number((await trx('customers').max({ id: 'id' }).first())?.id ?? 0) + 1;
  const ids = Array.from({ length: customers }, (_, i) => firstId + i);
  await insertAll(
    trx,
    'customers',
    ids.map((id) => ({
      id,
      account_number: `AP${String(id).padStart(8, '0')}`,
      name: `Autopay Bench ${id}`,
      kind: 'business',
      reseller_id: reseller,
      created_at: now,
      updated_at: now,
    })),
  );
  await insertAll(
    trx,
    'payment_methods',
    ids.map((id) => ({
      id,
      customer_id: id,
      kind: 'card',
      friendly_name: 'Bench Visa',
      gateway_token: `sbx_card_approve_bench${id}`,
      brand: 'Visa',
      last4: '4242',
      exp_month: 12,
      exp_year: Number(today.slice(0, 4)) + 2,
      holder_name: 'Bench',
      authorised_at: now,
      created_at: now,
    })),
  );
  await insertAll(
    trx,
    'autopay_configurations',
    ids.map((id) => ({
      customer_id: id,
      payment_method_id: id,
      position: 1,
      conditions: JSON.stringify(rules[Math.floor(random() * rules.length)]),
      created_at: now,
      updated_at: now,
    })),
  );
  const firstInvoice = Number((await trx('invoices').max({ id: 'id' }).first())?.id ?? 0) + 1;
  const invoices = [];
  const lines = [];
  for (let n = 0; n < customers * invoicesEach; n++) {
    const id = firstInvoice + n;
    const cents = 1_000 + Math.floor(random() * 39_000);
    const issuedOn = addDays(today, -Math.floor(random() * 60));
    invoices.push({
      id,
      customer_id: ids[n % customers],
      number: `INV-B${String(id).padStart(8, '0')}`,
      issued_on: issuedOn,
      due_on: addDays(issuedOn, 30),
      total_cents: cents,
      open_cents: cents,
      created_at: now,
    });
    lines.push({
      invoice_id: id,
      position: 1,
      description: lineNames[Math.floor(random() * lineNames.length)],
      quantity: 1,
      unit_cents: cents,
      amount_cents: cents,
    });
  }
  await insertAll(trx, 'invoices', invoices);
  await insertAll(trx, 'invoice_lines', lines);
});
console.log(
  `Built ${customers.toLocaleString()} customers, ${(customers * invoicesEach).toLocaleString()} open invoices and ` +
    `${customers.toLocaleString()} configurations in ${((performance.now() - built) / 1000).toFixed(1)} s.`,
);

console.log(await idleLoopDelay(3_000, 5));

// Pages served beside the cycle: the demo customer's Autopay page, dry run included, every 10 ms (a busy
// office, not a saturating load: in-process requests back to back would hold SQLite's one connection).
const pause = () => new Promise((resolve) => setTimeout(resolve, 10));
const app = await buildApp({ config, db, signInLimits: { perAccount: 1e6, perClient: 1e6, windowMinutes: 1 } });
const staff = await signIn(app, 'admin@example.com');
const acme = (await db('customers').where({ name: 'Acme Plumbing Ltd' }).first('id')).id as number;
const page = `/customers/${acme}/billing/automatic-payments`;
let served = 0;
let slowestPageMs = 0;
let cycleRunning = true;
const pages = (async () => {
  while (cycleRunning) {
    const started = performance.now();
    const response = await staff.get(page);
    if (response.statusCode !== 200) throw new Error(`the Autopay page answered ${response.statusCode}`);
    slowestPageMs = Math.max(slowestPageMs, performance.now() - started);
    served++;
    await pause();
  }
})();

const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const started = performance.now();
// As the daily job runs it: on the off-loop pool, with the process gateway (the sandbox).
const summary = await runAutopayCycleOffLoop({ database: config.database, date: today });
const seconds = (performance.now() - started) / 1000;
loop.disable();
cycleRunning = false;
await pages;

console.log(
  `Cycle: ${summary.invoices.toLocaleString()} invoices, ${summary.payments.toLocaleString()} paid ` +
    `(${summary.declined} declined) in ${seconds.toFixed(2)} s (target < 10 s; ${loadAverage()}).`,
);
console.log(
  `Event loop during the cycle: longest stall ${(loop.max / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms ` +
    '(target: never over 50 ms).',
);
console.log(`Autopay pages served beside it: ${served}, slowest ${slowestPageMs.toFixed(0)} ms.`);
await app.close();
await db.destroy();
