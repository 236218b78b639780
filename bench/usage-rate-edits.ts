/**
 * Editing usage rates (D6) at scale: the Usage Rates page with 5,000 rates on a price list (each row now
 * with its pencil and trash can), and a rate edited and deleted while 100,000 unbilled calls start with
 * its prefix (they are priced again in the same transaction), beside adding a rate that prices 100,000
 * unrated calls (the path that existed before).
 *
 *   node --import tsx bench/usage-rate-edits.ts [--calls 100000] [--rates 5000] [--part page|edits|both] [--with-add]
 *
 * Builds a temporary SQLite database (migrated, the demo data), measures CPU (all threads) and wall time,
 * and deletes it. `--part page` runs on code without the edit routes too, for a before figure; `--with-add`
 * first adds the rate through the Usage Rates form's path, which prices the calls one UPDATE at a time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seedDemo } from '../seeds/demo/index.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { insertRows } from '../src/db/bulk.ts';
import { createDb } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { loadAverage } from './machine.ts';
import { signedInCookie } from './sign-in.ts';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '100000' },
    rates: { type: 'string', default: '5000' },
    part: { type: 'string', default: 'both' },
    'with-add': { type: 'boolean', default: false },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'ledgerdesk-rate-edits-'));
const config = loadConfig({
  DB_FILE: join(dir, 'bench.sqlite'),
  NODE_ENV: 'production',
  LOG_LEVEL: 'silent',
  JOBS: 'off',
});
const db = createDb(config.database, { servesPages: true });

async function measure(label: string, work: () => Promise<unknown>, times = 1) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < times; i++) await work();
  const used = process.cpuUsage(cpu);
  const each = (n: number) => (n / times / 1000).toFixed(times > 1 ? 2 : 0);
  console.log(
    `${label}: wall ${each((performance.now() - started) * 1000)} ms, CPU ${each(used.user + used.system)} ms${times > 1 ? ' each' : ''} (${loadAverage()})`,
  );
}

try {
  await migrateToLatest(db);
  await seedDemo(db);
  const now = new Date().toISOString();
  const service = await db('services')
    .whereNotNull('price_list_id')
    .orderBy('id')
    .first('id', 'customer_id', 'price_list_id');
  const listId = service.price_list_id as number;
  await db('usage_rates').where('price_list_id', listId).delete();
  const rates = Array.from({ length: Number(args.rates) }, (_, i) => ({
    price_list_id: listId,
    prefix: `7${String(i).padStart(5, '0')}`,
    per_minute_millicents: 1_000 + i,
    minimum_seconds: 60,
    increment_seconds: 6,
    created_at: now,
  }));
  for (let i = 0; i < rates.length; i += 1000) await insertRows(db, 'usage_rates', rates.slice(i, i + 1000));

  if (args.part !== 'edits') {
    const app = await buildApp({ config, db });
    const headers = { cookie: await signedInCookie(app) };
    const page = () => app.inject({ url: `/usage/rates?price_list=${listId}`, headers });
    const first = await page();
    if (first.statusCode !== 200) throw new Error(`the page answered ${first.statusCode}`);
    for (let i = 0; i < 10; i++) await page();
    await measure(`GET /usage/rates, ${rates.length} rates (${Math.round(first.body.length / 1024)} KiB)`, page, 40);
    await app.close();
  }

  if (args.part !== 'page') {
    const { addUsageRate } = await import('../src/features/usage/rates.ts');
    const { deleteUsageRate, updateUsageRate } = await import('../src/features/usage/rate-edits.ts');
    const [cdrImport] = await db('cdr_imports')
      .insert({ filename: 'bench.csv', status: 'done', created_at: now })
      .returning('id');
    const calls = Array.from({ length: Number(args.calls) }, (_, i) => ({
      call_id: `bench-${i}`,
      import_id: cdrImport.id,
      customer_id: service.customer_id,
      service_id: service.id,
      number: '01210000000',
      destination: `44${String(i % 1000).padStart(8, '0')}`,
      started_at: now,
      duration_seconds: 1 + (i % 600),
    }));
    for (let i = 0; i < calls.length; i += 5000) await insertRows(db, 'cdrs', calls.slice(i, i + 5000));
    const priced = async () =>
      JSON.stringify(
        await db('cdrs').first(db.raw('sum(rated_cents) as cents'), db.raw('count(rated_cents) as rated')),
      );
    const add = { price_list_id: listId, prefix: '44', per_minute: 2_000, minimum_seconds: 60, increment_seconds: 6 };
    if (args['with-add']) {
      await measure(`add a rate for 44: ${calls.length} unrated calls priced (the existing path)`, () =>
        addUsageRate(db, add),
      );
    } else {
      await insertRows(db, 'usage_rates', [{ ...rates[0], prefix: '44', per_minute_millicents: 2_000 }]);
    }
    console.log(`  calls priced: ${await priced()}`);
    const actor = { userId: null };
    for (const perMinute of [2_500, 3_000]) {
      const rate = await db('usage_rates').where({ price_list_id: listId, prefix: '44' }).first();
      await measure(`edit the rate for 44: ${calls.length} unbilled calls priced again`, () =>
        updateUsageRate(db, rate, { ...add, per_minute: perMinute, version: rate.version }, actor),
      );
      console.log(`  calls priced: ${await priced()}`);
    }
    const rate = await db('usage_rates').where({ price_list_id: listId, prefix: '44' }).first();
    console.log(`  calls priced: ${await priced()}`);
    await measure(`delete the rate for 44: ${calls.length} unbilled calls left unrated`, () =>
      deleteUsageRate(db, rate, actor),
    );
    console.log(`  calls priced: ${await priced()}`);
  }
} finally {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
}
