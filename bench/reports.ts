// node --import tsx bench/reports.ts [--file data/large.sqlite]
// B5 at scale (npm run seed:large first): streams the CSV of an every-field report over every customer
// (1,000,000 with --customers 1000000) to nowhere, measuring duration, peak RSS and the event loop's delay
// p99 meanwhile (what a page request waits for); then the receivables job's refresh and the page's read.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { toStaffPrincipal } from '../src/auth/staff-users.ts';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/index.ts';
import { receivables, refreshReceivables } from '../src/features/home/receivables.ts';
import { reportCsv } from '../src/features/reports/csv.ts';
import { fieldKeys } from '../src/features/reports/fields.ts';
import { reportRows } from '../src/features/reports/rows.ts';
import { todayIso } from '../src/lib/dates.ts';

const { values } = parseArgs({ options: { file: { type: 'string', default: 'data/large.sqlite' } } });
const db = createDb(loadConfig({ DB_FILE: values.file }).database);
const customers = Number((await db('customers').count({ n: '*' }).first())?.n);
const invoices = Number((await db('invoices').count({ n: '*' }).first())?.n);
console.log(`database: ${customers.toLocaleString('en-US')} customers, ${invoices.toLocaleString('en-US')} invoices`);

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
/** How late a 10 ms timer fires: what a page request would wait for the event loop. */
function lagMonitor() {
  const lags: number[] = [];
  let expected = performance.now() + 10;
  const timer = setInterval(() => {
    const now = performance.now();
    lags.push(Math.max(0, now - expected));
    expected = now + 10;
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      lags.sort((a, b) => a - b);
      return {
        p99: lags[Math.floor(lags.length * 0.99)] ?? Number.NaN,
        max: lags.at(-1) ?? Number.NaN,
        samples: lags.length,
      };
    },
  };
}
let bytes = 0;
let rows = 0;
const nowhere = new Writable({
  write(chunk: Buffer, _encoding, done) {
    bytes += chunk.length;
    done();
  },
});
const today = todayIso();
async function* counted() {
  for await (const batch of reportRows(db, {
    resellerId: null,
    filters: {},
    fields: fieldKeys,
    period: { from: '2000-01-01', to: today },
    today,
  })) {
    rows += batch.length;
    yield batch;
  }
}
const started = performance.now();
const lag = lagMonitor();
await pipeline(reportCsv(fieldKeys, counted()), nowhere);
const delay = lag.stop();
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
console.log(
  `report CSV, every field: ${rows.toLocaleString('en-US')} rows, ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s; ` +
    `peak RSS ${(peakRss / 1e6).toFixed(0)} MB; event-loop delay p99 ${delay.p99.toFixed(0)} ms, ` +
    `max ${delay.max.toFixed(0)} ms over ${delay.samples} samples (targets: < 20 s, < 200 MB, p99 < 50 ms)`,
);

{
  const lag = lagMonitor();
  const start = performance.now();
  await refreshReceivables(db);
  const result = lag.stop();
  console.log(
    `receivables refresh (the job, every scope): ${((performance.now() - start) / 1000).toFixed(1)} s; ` +
      `event-loop delay meanwhile p99 ${result.p99.toFixed(0)} ms, max ${result.max.toFixed(0)} ms over ${result.samples} samples`,
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
    `receivables dashboard read (${user.role}): median ${times[10].toFixed(2)} ms, worst ${times[20].toFixed(2)} ms (target < 50 ms)`,
  );
}
await db.destroy();
