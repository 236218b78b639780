/**
 * The call record import at scale (D4): a CSV file of 1,000,000 calls over 10,000 numbers, imported as the
 * Call Records page does (streamed, checked row by row, rated, on the worker pool), with peak memory and
 * the main thread's event-loop delay (what pages would wait).
 *
 *   node --import tsx bench/cdr-import.ts [--rows 1000000] [--numbers 10000]
 *
 * Builds a temporary SQLite database (migrated; customers with a Hosted Voice service per number and
 * usage rates) and the file, measures, and deletes both. The bar: under 30 s, under 300 MB resident,
 * event-loop delay p99 under 50 ms (pages are served by the same loop meanwhile).
 */

import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createDb } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { accountNumberFor } from '../src/features/customers/account-number.ts';
import { importInWorker } from '../src/features/usage/import-worker.ts';
import { closeOffLoop } from '../src/lib/off-loop.ts';
import { idleLoopDelay, loadAverage } from './machine.ts';

const { values: args } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, numbers: { type: 'string', default: '10000' } },
});
const rows = Number(args.rows);
const numbers = Number(args.numbers);
const dir = mkdtempSync(join(tmpdir(), 'ledgerdesk-cdr-bench-'));
const database = { kind: 'sqlite' as const, file: join(dir, 'bench.sqlite') };
const db = createDb(database);
const numberOf = (i: number) => `0121${String(i).padStart(7, '0')}`;

try {
  await migrateToLatest(db);
  const now = new Date().toISOString();
  const [reseller] = await db('resellers').insert({ name: 'Bench', created_at: now }).returning('id');
  const [type] = await db('service_types')
    .insert({ name: 'Hosted Voice', description: '', created_at: now, updated_at: now })
    .returning('id');
  const [list] = await db('price_lists').insert({ name: 'Bench', created_at: now, updated_at: now }).returning('id');
  await db('usage_rates').insert(
    ['44', '447', '1', '33', '49'].map((prefix) => ({
      price_list_id: list.id,
      prefix,
      per_minute_millicents: 2_000,
      minimum_seconds: 60,
      increment_seconds: 6,
      created_at: now,
    })),
  );
  for (let start = 0; start < numbers; start += 400) {
    await db.transaction(async (trx) => {
      for (let i = start; i < Math.min(numbers, start + 400); i++) {
        const [customer] = await trx('customers')
          .insert({
            account_number: accountNumberFor(i + 1),
            name: `Bench ${i}`,
            kind: 'business',
            status: 'active',
            reseller_id: reseller.id,
            created_at: now,
            updated_at: now,
          })
          .returning('id');
        const [service] = await trx('services')
          .insert({
            customer_id: customer.id,
            service_type_id: type.id,
            price_list_id: list.id,
            monthly_cents: 1_500,
            setup_cents: 0,
            created_at: now,
            updated_at: now,
          })
          .returning('id');
        const [phone] = await trx('phone_numbers')
          .insert({
            number: numberOf(i),
            prefix: '0121',
            grade: 'standard',
            status: 'assigned',
            customer_id: customer.id,
            shuffle_key: i,
            created_at: now,
            updated_at: now,
          })
          .returning('id');
        await trx('service_numbers').insert({
          service_id: service.id,
          phone_number_id: phone.id,
          settings: '{}',
          monthly_cents: 0,
          setup_cents: 0,
          created_at: now,
          updated_at: now,
        });
      }
    });
  }
  const file = join(dir, 'calls.csv');
  const out = createWriteStream(file);
  out.write('call_id,number,destination,started_at,duration_seconds\n');
  const destinations = ['442071234567', '447700900123', '12125550123', '33123456789', '4930123456'];
  for (let i = 0; i < rows; i++) {
    const line = `call-${i},${numberOf(i % numbers)},${destinations[i % 5]},2031-03-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z,${i % 900}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');

  const delay = monitorEventLoopDelay({ resolution: 10 });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  delay.enable();
  console.log(await idleLoopDelay());
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const outcome = await importInWorker({ database, path: file, filename: 'calls.csv', userId: null });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  delay.disable();
  clearInterval(sampler);
  console.log(
    `cdr import: ${outcome.rowsRead} rows (${outcome.imported} imported, ${outcome.badRows} bad) in ${seconds.toFixed(1)} s ` +
      `(CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, all threads), ` +
      `peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB, event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, ${loadAverage()}`,
  );
} finally {
  await closeOffLoop();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
}
