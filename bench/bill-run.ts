/**
 * The bill run at scale (issue 15, F5): a period for 100,000 customers with 300,000 services and 5,000,000
 * rated calls, committed as the Bill Run page does it (on the off-loop pool), while a staff user keeps
 * loading the run's progress and a customer page beside it in the same process. Then the same period
 * again, which must make nothing new.
 *
 *   node --import tsx bench/bill-run.ts [--customers 100000] [--services-each 3] [--calls-each 50]
 *                                       [--db /tmp/…sqlite] [--preview]
 *
 * Builds a SQLite database (migrated, the demo data, then the generated rows in bulk, the call indexes
 * built after the calls). With --db the built database is kept there and later runs copy it (and migrate the copy) instead of
 * building again; the copy is deleted after the run. --preview also measures the preview.
 * The bar: under 60 s, event-loop delay p99 under 50 ms (pages stay responsive meanwhile).
 *
 * Figures, each with the load average of its moment: docs/performance.md, "Bill run".
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { seedDemo } from '../seeds/demo/index.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { startBillRun } from '../src/features/bill-run/bill-run.ts';
import { commitInWorker, previewInWorker } from '../src/features/bill-run/worker.ts';
import { accountNumberFor } from '../src/features/customers/account-number.ts';
import { closeOffLoop } from '../src/lib/off-loop.ts';
import { signIn } from '../test/helpers/app.ts';
import { insertGenerated } from './fill.ts';
import { idleLoopDelay, loadAverage } from './machine.ts';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    'services-each': { type: 'string', default: '3' },
    'calls-each': { type: 'string', default: '50' },
    db: { type: 'string' },
    preview: { type: 'boolean', default: false },
  },
});
const customers = Number(args.customers);
const servicesEach = Number(args['services-each']);
const callsEach = Number(args['calls-each']);
const PERIOD = '2031-03';
const DESTINATIONS = ['442071234567', '447700900123', '12125550123', '33123456789', '4930123456'];

async function build(db: Knex) {
  const now = new Date().toISOString();
  await migrateToLatest(db);
  await seedDemo(db);
  const firstCustomer = Number((await db('customers').max({ id: 'id' }).first())?.id ?? 0) + 1;
  const firstService = Number((await db('services').max({ id: 'id' }).first())?.id ?? 0) + 1;
  const [reseller] = await db('resellers').insert({ name: 'Bench Telecom', created_at: now }).returning('id');
  const types = await db('service_types')
    .insert(
      ['Bench Voice', 'Bench Fibre', 'Bench PBX'].map((name) => ({
        name,
        description: '',
        created_at: now,
        updated_at: now,
      })),
    )
    .returning('id');
  const [list] = await db('price_lists')
    .insert({ name: 'Bench prices', created_at: now, updated_at: now })
    .returning('id');
  await db('price_list_items').insert(
    types.map((t: { id: number }) => ({
      price_list_id: list.id,
      service_type_id: t.id,
      monthly_cents: 2_500,
      setup_cents: 5_000,
    })),
  );
  await db('tax_rates').insert(
    [
      ['US usage', null, 'usage', 7_000],
      ['US recurring', null, 'recurring', 5_000],
      ['California usage', 'CA', 'usage', 2_500],
    ].map(([name, region, kind, rate]) => ({
      name,
      country: 'US',
      region,
      city: null,
      charge_kind: kind,
      rate_millipercent: rate,
      created_at: now,
    })),
  );
  await insertGenerated(
    db,
    'customers',
    ['id', 'account_number', 'name', 'kind', 'reseller_id', 'sales_person', 'created_at', 'updated_at'],
    customers,
    (i) => [
      firstCustomer + i,
      accountNumberFor(firstCustomer + i),
      `Bench Customer ${i + 1}`,
      'business',
      reseller.id,
      `Sales ${i % 20}`,
      now,
      now,
    ],
  );
  // One customer in a thousand has no Bill To location: a problem the run lists and skips.
  const located = Array.from({ length: customers }, (_, i) => i).filter((i) => i % 1_000 !== 999);
  await insertGenerated(
    db,
    'locations',
    ['customer_id', 'line1', 'city', 'region', 'postal_code', 'country', 'is_bill_to', 'created_at'],
    located.length,
    (j) => [firstCustomer + located[j], '1 Bench Street', 'Springfield', j % 2 ? 'CA' : 'NY', '90210', 'US', 1, now],
  );
  // Most services run all month; one in ten starts mid-period (pro-rated, set-up charged), one in twenty ends in it.
  await insertGenerated(
    db,
    'services',
    [
      'id',
      'customer_id',
      'service_type_id',
      'price_list_id',
      'status',
      'monthly_cents',
      'setup_cents',
      'created_at',
      'updated_at',
      'ended_on',
    ],
    customers * servicesEach,
    (i) => {
      const starts = i % 10 === 2;
      const ends = i % 20 === 5;
      return [
        firstService + i,
        firstCustomer + Math.floor(i / servicesEach),
        types[(i % servicesEach) % types.length].id,
        list.id,
        ends ? 'cancelled' : 'active',
        1_500 + (i % 7) * 250,
        starts ? 5_000 : 0,
        starts ? `${PERIOD}-15T09:00:00.000Z` : '2030-01-01T00:00:00.000Z',
        now,
        ends ? `${PERIOD}-10` : null,
      ];
    },
  );
  const [cdrImport] = await db('cdr_imports')
    .insert({ filename: 'bench.csv', status: 'done', created_at: now })
    .returning('id');
  // Indexes built after the rows: one sort each, instead of millions of scattered index inserts.
  const indexes: { name: string; sql: string }[] = await db('sqlite_master')
    .where({ type: 'index', tbl_name: 'cdrs' })
    .whereNotNull('sql')
    .select('name', 'sql');
  for (const index of indexes) await db.raw(`drop index "${index.name}"`);
  await insertGenerated(
    db,
    'cdrs',
    [
      'call_id',
      'import_id',
      'customer_id',
      'service_id',
      'number',
      'destination',
      'started_at',
      'duration_seconds',
      'billed_seconds',
      'rated_cents',
    ],
    customers * callsEach,
    (i) => {
      const customer = Math.floor(i / callsEach);
      const seconds = 60 + (i % 600);
      return [
        `bench-${String(i).padStart(9, '0')}`,
        cdrImport.id,
        firstCustomer + customer,
        firstService + customer * servicesEach + (i % servicesEach),
        `0121${String(customer).padStart(7, '0')}`,
        DESTINATIONS[i % DESTINATIONS.length],
        `${PERIOD}-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00.000Z`,
        seconds,
        seconds,
        Math.ceil(seconds / 3),
      ];
    },
  );
  for (const index of indexes) await db.raw(index.sql);
  await db.raw('analyze');
  await db.raw('pragma wal_checkpoint(truncate)');
}

const dir = mkdtempSync(join(tmpdir(), 'ledgerdesk-bill-run-'));
const file = join(dir, 'bench.sqlite');
const built = performance.now();
const reuse = args.db !== undefined && existsSync(args.db);
if (reuse && args.db) {
  copyFileSync(args.db, file);
  // A database kept from an earlier build gets the migrations added since.
  const migrator = createDb({ kind: 'sqlite', file });
  try {
    await migrateToLatest(migrator);
  } finally {
    await migrator.destroy();
  }
} else {
  const target = args.db ?? file;
  const builder = createDb({ kind: 'sqlite', file: target });
  try {
    await build(builder);
  } finally {
    await builder.destroy();
  }
  if (args.db) copyFileSync(args.db, file);
}
const config = loadConfig({ DB_FILE: file, LOG_LEVEL: 'silent' });
const db = createDb(config.database);
let app: Awaited<ReturnType<typeof buildApp>> | undefined;
try {
  const count = async (table: string) => Number((await db(table).count({ n: '*' }).first())?.n);
  console.log(
    `database: ${await count('customers')} customers, ${await count('services')} services, ${await count('cdrs')} calls ` +
      `(${reuse ? 'copied' : 'built'} in ${((performance.now() - built) / 1000).toFixed(1)} s)`,
  );
  console.log(await idleLoopDelay());

  app = await buildApp({ config, db, signInLimits: { perAccount: 1e6, perClient: 1e6, windowMinutes: 1 } });
  const staff = await signIn(app, 'admin@example.com');
  const acme = (await db('customers').where({ name: 'Acme Plumbing Ltd' }).first('id')).id as number;
  // Templates compile on first use: not what a page costs while a run goes on.
  await staff.get(`/customers/${acme}`);

  /** Runs `work` while the pages are loaded every 15 ms; prints time, CPU, memory and the loop's delay. */
  const measure = async <T>(name: string, pages: string[], work: () => Promise<T>): Promise<T> => {
    let running = true;
    let served = 0;
    let slowest = 0;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const browsing = (async () => {
      while (running) {
        const started = performance.now();
        const response = await staff.get(pages[served % pages.length], { htmx: served % 2 === 0 });
        if (response.statusCode !== 200) throw new Error(`${pages[served % pages.length]}: ${response.statusCode}`);
        slowest = Math.max(slowest, performance.now() - started);
        served++;
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result = await work();
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    loop.disable();
    running = false;
    await browsing;
    clearInterval(sampler);
    const ms = (ns: number) => (ns / 1e6).toFixed(1);
    console.log(
      `${name}: ${seconds.toFixed(1)} s (CPU ${((used.user + used.system) / 1e6).toFixed(1)} s, all threads), ` +
        `peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB, event-loop delay p99 ${ms(loop.percentile(99))} ms, ` +
        `max ${ms(loop.max)} ms; ${served} pages, slowest ${slowest.toFixed(0)} ms (${loadAverage()})`,
    );
    return result;
  };

  if (args.preview) {
    const preview = await measure('preview', [`/customers/${acme}`], () => previewInWorker(config.database, PERIOD));
    console.log(`  ${preview.customers} customers, ${preview.invoices} invoices, ${preview.problemCount} problems`);
  }
  for (const round of ['commit', 'commit again']) {
    const runId = await startBillRun(db, PERIOD, { userId: null });
    await measure(round, [`/bill-run/runs/${runId}`, `/customers/${acme}`], () =>
      commitInWorker(config.database, runId),
    );
    const run = await db('bill_runs').where('id', runId).first();
    console.log(
      `  ${run.status}: ${run.customers_done} customers, ${run.invoices_made} invoices, ${run.errors_count} with problems, ` +
        `${await count('invoices')} invoices and ${await db('cdrs')
          .whereNull('invoice_id')
          .count({ n: '*' })
          .first()
          .then((r) => r?.n)} unbilled calls in all`,
    );
  }
} finally {
  await app?.close();
  await closeOffLoop();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
}
