// node --import tsx bench/request-cpu.ts [--file <copy of data/large.sqlite>] [--requests 1500] [--only landing]
// The CPU time one request of each hot page costs the app (issue 19), through app.inject: no network and
// no load generator, so the figure holds on a busy machine where req/s and latency do not. Migrates the
// file (use a copy), signs in as the admin, warms each page up with 300 requests, then measures.
// Before and after figures, with their load, are in docs/performance.md (The request path).
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { loadAverage } from './machine.ts';
import { signedInCookie } from './sign-in.ts';

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: 'data/large.sqlite' },
    requests: { type: 'string', default: '1500' },
    only: { type: 'string' },
  },
});
const config = loadConfig({ DB_FILE: values.file, NODE_ENV: 'production', LOG_LEVEL: 'silent', JOBS: 'off' });
const db = createDb(config.database, { servesPages: true });
await migrateToLatest(db);
const app = await buildApp({ config, db });

const cookie = await signedInCookie(app);
const ids: number[] = await db('customers').orderBy('id').limit(3000).pluck('id');
const terms = ['ac', 'zq', 'acm', 'xyzzy', 'smit', 'qq', 'north', 'jo'];

const pages: [string, (i: number) => string, boolean][] = [
  ['/healthz, no cookie', () => '/healthz', false],
  ['/healthz, signed in', () => '/healthz', true],
  ['/my-settings', () => '/my-settings', true],
  ['landing tab, customers in turn', (i) => `/customers/${ids[(i * 7919) % ids.length]}/account-summary`, true],
  ['landing tab, one customer', () => `/customers/${ids[0]}/account-summary`, true],
  ['customer search, mixed terms', (i) => `/customers?q=${terms[i % terms.length]}`, true],
  ['global search acme', () => '/search?q=acme', true],
];
const requests = Number(values.requests);
for (const [name, url, withCookie] of pages.filter(([n]) => !values.only || n.includes(values.only))) {
  const headers = withCookie ? { cookie } : {};
  for (let i = 0; i < 300; i++) await app.inject({ url: url(i), headers });
  const before = process.cpuUsage();
  const started = performance.now();
  let failed = 0;
  for (let i = 0; i < requests; i++)
    if ((await app.inject({ url: url(i + 300), headers })).statusCode !== 200) failed++;
  const cpu = process.cpuUsage(before);
  const perRequest = (us: number) => `${Math.round(us / requests)} µs`.padStart(9);
  console.log(
    `${name.padEnd(32)} CPU ${perRequest(cpu.user + cpu.system)}  wall ${perRequest((performance.now() - started) * 1000)}` +
      `${failed ? `  ${failed} not 200` : ''}  (${loadAverage()})`,
  );
}
await app.close();
await db.destroy();
