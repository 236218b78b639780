// node --import tsx bench/reports.ts [--file data/large.sqlite] [--reseller 'Northwind Telecom']
// B5 at scale (npm run seed:large first): exports the CSV of an every-field report over every customer
// (1,000,000 with --customers 1000000) the way the download does, on the off-loop pool into a scratch file,
// measuring duration, peak RSS of the process (worker threads included), and meanwhile the main thread's
// event-loop delay and the time a page's read takes; then the receivables job's refresh and the page's read.
// The load average is printed beside the figures: other work on the machine slows everything down.
// Before and after figures, with their load, are in docs/performance.md (Custom Reports, Receivables dashboard).
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { toStaffPrincipal } from '../src/auth/staff-users.ts';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/index.ts';
import { receivables } from '../src/features/home/receivables.ts';
import { refreshOffLoop } from '../src/features/home/refresh-worker.ts';
import { exportOffLoop } from '../src/features/reports/export.ts';
import { fieldKeys } from '../src/features/reports/fields.ts';
import { todayIso } from '../src/lib/dates.ts';
import { closeOffLoop } from '../src/lib/off-loop.ts';
import { idleLoopDelay, loadAverage as load } from './machine.ts';

const { values } = parseArgs({
  options: { file: { type: 'string', default: 'data/large.sqlite' }, reseller: { type: 'string' } },
});
const { database } = loadConfig({ DB_FILE: values.file });
const db = createDb(database);
const count = async (table: string) => Number((await db(table).count({ n: '*' }).first())?.n).toLocaleString('en-US');
console.log(`database: ${await count('customers')} customers, ${await count('invoices')} invoices`);
const admin = toStaffPrincipal(await db('users').where('email', 'admin@example.com').first());

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

/** The main thread's event-loop delay (what any request waits for before it starts), in ms. */
function delayMonitor() {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return () => {
    histogram.disable();
    return { p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
  };
}

/** Reads the dashboard (a page's query) every 20 ms until stopped: what a page waits for meanwhile. */
function pageReads() {
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const start = performance.now();
      await receivables(db, admin);
      times.push(performance.now() - start);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return async () => {
    running = false;
    await loop;
    times.sort((a, b) => a - b);
    return { count: times.length, p99: times[Math.floor(times.length * 0.99)] ?? Number.NaN };
  };
}

const resellerId = values.reseller ? (await db('resellers').where('name', values.reseller).first('id')).id : null;
const today = todayIso();
const file = join(tmpdir(), `ledgerdesk-bench-report-${process.pid}.csv`);
console.log(await idleLoopDelay());
console.log(`before: RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB; ${load()}`);
const started = performance.now();
const cpuBefore = process.cpuUsage();
const delay = delayMonitor();
const reads = pageReads();
const outcome = await exportOffLoop({
  database,
  query: { resellerId, filters: {}, fields: fieldKeys, period: { from: '2000-01-01', to: today }, today },
  into: { file },
});
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const lag = delay();
const served = await reads();
const size = statSync(file).size;
rmSync(file);
console.log(
  `report CSV, every field${values.reseller ? ` (${values.reseller})` : ''}: ${outcome.rows.toLocaleString('en-US')} rows, ` +
    `${(size / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, all threads); peak RSS ${(peakRss / 1e6).toFixed(0)} MB (threads included); ` +
    `event-loop delay p99 ${lag.p99.toFixed(1)} ms, max ${lag.max.toFixed(1)} ms; ` +
    `${served.count} dashboard reads meanwhile, p99 ${served.p99.toFixed(2)} ms ` +
    `(targets: < 20 s, < 200 MB, p99 < 50 ms); ${load()}`,
);
{
  const delay = delayMonitor();
  const start = performance.now();
  await refreshOffLoop(database);
  const lag = delay();
  console.log(
    `receivables refresh (the job on the pool, every scope): ${((performance.now() - start) / 1000).toFixed(1)} s; ` +
      `event-loop delay meanwhile p99 ${lag.p99.toFixed(1)} ms, max ${lag.max.toFixed(1)} ms; ${load()}`,
  );
}
for (const email of ['admin@example.com', 'reseller@example.com']) {
  const user = toStaffPrincipal(await db('users').where('email', email).first());
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const start = performance.now();
    await receivables(db, user);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(
    `receivables dashboard read (${user.role}): median ${times[10].toFixed(2)} ms, worst ${times[20].toFixed(2)} ms ` +
      `(target < 50 ms); ${load()}`,
  );
}
clearInterval(sampler);
await closeOffLoop();
await db.destroy();
