/**
 * The external billing file at scale (A7, F5): validation and generation of a file of 1,000,000 invoice
 * lines over 100,000 external customers, with peak memory and event-loop delay while it runs.
 *
 *   node --import tsx bench/billing-file.ts [--customers 100000] [--lines 1000000]
 *
 * Builds a temporary SQLite database (migrated, one admin, institutions and groups with numbers, the
 * customers and their invoices in one billing period), measures, and deletes it. The bar: under 20 s,
 * under 200 MB resident, event-loop delay p99 under 50 ms (so pages stay responsive meanwhile).
 *
 * Figures before and after, each with the load average of its moment: docs/performance.md, "Billing file".
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { toStaffPrincipal } from '../src/auth/staff-users.ts';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { generateInWorker, validateInWorker } from '../src/features/billing-file/generation-worker.ts';
import { accountNumberFor } from '../src/features/customers/account-number.ts';
import { insertGenerated } from './fill.ts';
import { idleLoopDelay, loadAverage } from './machine.ts';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    lines: { type: 'string', default: '1000000' },
    /** Keep the built database here and reuse it on later runs (measuring only). */
    db: { type: 'string' },
  },
});
const customers = Number(args.customers);
const linesPerCustomer = Math.max(1, Math.round(Number(args.lines) / customers));
const LINES_PER_INVOICE = 5;
const PERIOD = '2031-03';
const INSTITUTIONS = 1_000;
const GROUPS = 5_000;
const BENCH_ADMIN = 'bench@example.com';

async function build(db: Knex) {
  const now = new Date().toISOString();
  const [admin] = await db('users')
    .insert({ email: BENCH_ADMIN, name: 'Bench Admin', role: 'admin', password_hash: 'x', created_at: now })
    .returning('*');
  await insertGenerated(db, 'institutions', ['id', 'name', 'name_key', 'created_at'], INSTITUTIONS, (i) => [
    i + 1,
    `Institution ${i + 1}`,
    `institution${i + 1}`,
    now,
  ]);
  await insertGenerated(db, 'groups', ['id', 'institution_id', 'name', 'name_key', 'created_at'], GROUPS, (i) => [
    i + 1,
    (i % INSTITUTIONS) + 1,
    `Group ${i + 1}`,
    `group${i + 1}`,
    now,
  ]);
  // Every institution has a number; every other group has its own, which wins for its customers.
  await insertGenerated(
    db,
    'external_customer_numbers',
    ['institution_id', 'group_id', 'number', 'created_at', 'updated_at'],
    INSTITUTIONS + GROUPS / 2,
    (i) =>
      i < INSTITUTIONS
        ? [i + 1, null, `INST-${i + 1}`, now, now]
        : [null, (i - INSTITUTIONS) * 2 + 1, `GRP-${i}`, now, now],
  );
  const [reseller] = await db('resellers').insert({ name: 'Bench Reseller', created_at: now }).returning('id');
  await insertGenerated(
    db,
    'customers',
    [
      'id',
      'account_number',
      'name',
      'kind',
      'reseller_id',
      'institution_id',
      'group_id',
      'custom_account_id',
      'created_at',
      'updated_at',
    ],
    customers,
    (i) => {
      const group = (i % GROUPS) + 1;
      return [
        i + 1,
        accountNumberFor(i + 1),
        `Customer ${i + 1}`,
        'business',
        reseller.id,
        ((group - 1) % INSTITUTIONS) + 1,
        i % 3 === 0 ? null : group,
        `CA-${i + 1}`,
        now,
        now,
      ];
    },
  );
  const invoicesPerCustomer = Math.ceil(linesPerCustomer / LINES_PER_INVOICE);
  const invoices = customers * invoicesPerCustomer;
  await insertGenerated(
    db,
    'invoices',
    ['id', 'customer_id', 'number', 'issued_on', 'due_on', 'total_cents', 'open_cents', 'created_at'],
    invoices,
    (i) => [
      i + 1,
      Math.floor(i / invoicesPerCustomer) + 1,
      `INV${String(i + 1).padStart(8, '0')}`,
      `${PERIOD}-${String((i % 28) + 1).padStart(2, '0')}`,
      '2031-04-30',
      LINES_PER_INVOICE * 1_250,
      LINES_PER_INVOICE * 1_250,
      now,
    ],
  );
  await insertGenerated(
    db,
    'invoice_lines',
    ['invoice_id', 'position', 'description', 'quantity', 'unit_cents', 'amount_cents'],
    invoices * LINES_PER_INVOICE,
    (i) => [
      Math.floor(i / LINES_PER_INVOICE) + 1,
      (i % LINES_PER_INVOICE) + 1,
      `Service charge ${(i % LINES_PER_INVOICE) + 1}`,
      1,
      1_250,
      1_250,
    ],
  );
  await db.raw('analyze');
  return toStaffPrincipal(admin);
}

function mb(bytes: number) {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

async function measure<T>(name: string, work: () => Promise<T>): Promise<T> {
  global.gc?.();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  delay.enable();
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  clearInterval(sampler);
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  console.log(
    `${name.padEnd(28)} ${seconds.toFixed(2).padStart(6)} s   peak RSS ${mb(peakRss)}, heap ${mb(peakHeap)}   ` +
      `event-loop delay p50 ${ms(delay.percentile(50))} ms, p99 ${ms(delay.percentile(99))} ms, max ${ms(delay.max)} ms   ` +
      `(${loadAverage()})`,
  );
  return result;
}

const dir = mkdtempSync(join(tmpdir(), 'ledgerdesk-billing-file-'));
const reuse = args.db !== undefined && existsSync(args.db);
const { database } = loadConfig({ NODE_ENV: 'production', DB_FILE: args.db ?? join(dir, 'bench.sqlite') });
const db = createDb(database);
try {
  await migrateToLatest(db);
  const started = performance.now();
  const admin = reuse ? toStaffPrincipal(await db('users').where({ email: BENCH_ADMIN }).first()) : await build(db);
  await db('billing_files').delete();
  const lines = Number((await db('invoice_lines').count({ n: '*' }).first())?.n);
  console.log(
    `built ${customers} external customers, ${lines} invoice lines in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  global.gc?.();
  console.log(`resident before measuring: ${mb(process.memoryUsage().rss)} (Node, the app's modules, SQLite's cache)`);
  console.log(await idleLoopDelay());
  // Both as the routes do: on the off-loop pool, so the figures show what pages meanwhile feel.
  const validation = await measure('validation', () =>
    validateInWorker({ database, principal: admin, period: PERIOD }),
  );
  console.log(`  ${validation.customers} customers, ${validation.lines} lines, ${validation.errorCount} errors`);
  const outcome = await measure('validation + generation', () =>
    generateInWorker({ database, principal: admin, period: PERIOD, actor: { userId: admin.id } }),
  );
  if (!outcome.ok) throw new Error('the benchmark data should have no billing errors');
  const file = await db('billing_files').where('id', outcome.fileId).first();
  console.log(`  ${file.row_count} lines, ${mb(Number(file.byte_size))} file, sha256 ${file.checksum}`);
} finally {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
}
