/**
 * The Autopay cycle at scale (E12, F5): one cycle over 100,000 open invoices of 20,000 customers with one
 * configuration each, while a staff user keeps loading an Autopay page (with its dry run) beside it.
 * Reports the cycle's time and CPU time, how many invoices it paid, and the event loop's longest stall during it.
 *
 *   node --import tsx bench/autopay-cycle.ts [--customers 20000] [--invoices-each 5] [--db /tmp/…sqlite]
 *
 * Builds a fresh database each run (migrated, demo data, then the generated customers), so runs compare.
 *
 * Figures before and after, each with the load average of its moment: docs/performance.md, "Autopay cycle".
 */
import { readFileSync, rmSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { seedDemo } from '../seeds/demo/index.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { insertRows } from '../src/db/bulk.ts';
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

/**
 * Inserts the rows `make` gives for 0 … count-1, 5,000 at a time through the bulk seam: the main thread's
 * heap keeps no 100,000-row arrays whose collection would land in the measured cycle.
 */
async function insertAll(trx: Tx, table: string, count: number, make: (n: number) => Record<string, unknown>) {
  for (let from = 0; from < count; from += 5_000)
    await insertRows(
      trx,
      table,
      Array.from({ length: Math.min(5_000, count - from) }, (_, i) => make(from + i)),
    );
}

/** CPU seconds (user + system) of the main thread alone, from /proc (Linux): clock ticks of 10 ms. */
function mainThreadCpuSeconds(): number {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const built = performance.now();
await db.transaction(async (trx) => {
  const reseller = (await trx('resellers').first('id')).id as number;
  const firstId = Number((await trx('customers').max({ id: 'id' }).first())?.id ?? 0) + 1;
  await insertAll(trx, 'customers', customers, (i) => ({
    id: firstId + i,
    account_number: `AP${String(firstId + i).padStart(8, '0')}`,
    name: `Autopay Bench ${firstId + i}`,
    kind: 'business',
    reseller_id: reseller,
    created_at: now,
    updated_at: now,
  }));
  await insertAll(trx, 'payment_methods', customers, (i) => ({
    id: firstId + i,
    customer_id: firstId + i,
    kind: 'card',
    friendly_name: 'Bench Visa',
    gateway_token: `sbx_card_approve_bench${firstId + i}`,
    brand: 'Visa',
    last4: '4242',
    exp_month: 12,
    exp_year: Number(today.slice(0, 4)) + 2,
    holder_name: 'Bench',
    authorised_at: now,
    created_at: now,
  }));
  await insertAll(trx, 'autopay_configurations', customers, (i) => ({
    customer_id: firstId + i,
    payment_method_id: firstId + i,
    position: 1,
    conditions: JSON.stringify(rules[Math.floor(random() * rules.length)]),
    created_at: now,
    updated_at: now,
  }));
  const firstInvoice = Number((await trx('invoices').max({ id: 'id' }).first())?.id ?? 0) + 1;
  // Each invoice's amount and date, drawn once in order (as before), for the invoice and its one line.
  const drawn = Array.from({ length: customers * invoicesEach }, () => ({
    cents: 1_000 + Math.floor(random() * 39_000),
    issuedOn: addDays(today, -Math.floor(random() * 60)),
    line: lineNames[Math.floor(random() * lineNames.length)],
  }));
  await insertAll(trx, 'invoices', drawn.length, (n) => ({
    id: firstInvoice + n,
    customer_id: firstId + (n % customers),
    number: `INV-B${String(firstInvoice + n).padStart(8, '0')}`,
    issued_on: drawn[n].issuedOn,
    due_on: addDays(drawn[n].issuedOn, 30),
    total_cents: drawn[n].cents,
    open_cents: drawn[n].cents,
    created_at: now,
  }));
  await insertAll(trx, 'invoice_lines', drawn.length, (n) => ({
    invoice_id: firstInvoice + n,
    position: 1,
    description: drawn[n].line,
    quantity: 1,
    unit_cents: drawn[n].cents,
    amount_cents: drawn[n].cents,
  }));
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

// The main thread's garbage collections during the cycle: a pause there is a stall no page can avoid.
const pauses: number[] = [];
const collections = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) pauses.push(entry.duration);
});
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const cpuBefore = process.cpuUsage();
const mainCpuBefore = mainThreadCpuSeconds();
collections.observe({ entryTypes: ['gc'] });
const started = performance.now();
// As the daily job runs it: on the off-loop pool, with the process gateway (the sandbox).
const summary = await runAutopayCycleOffLoop({ database: config.database, date: today });
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const mainCpu = mainThreadCpuSeconds() - mainCpuBefore;
collections.disconnect();
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
console.log(
  `CPU during the cycle: ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s in all threads, ${mainCpu.toFixed(2)} s of it ` +
    'on the main thread (pages); the rest is the pool thread (the cycle) and SQLite.',
);
console.log(
  `Autopay pages served beside it: ${served}, slowest ${slowestPageMs.toFixed(0)} ms; main-thread garbage collections ` +
    `${pauses.length}, longest ${Math.max(0, ...pauses).toFixed(1)} ms.`,
);
console.log(await idleLoopDelay(3_000, 5));
await app.close();
await db.destroy();
