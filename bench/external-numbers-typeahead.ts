// node --import tsx bench/external-numbers-typeahead.ts [--requests 400]
// Standalone: builds a temporary SQLite database with the demo data plus 10,000 institutions and 50,000
// groups, then times the External Customer Numbers type-ahead (the htmx request the pop-up sends) through
// app.inject and prints the median and p95 per kind. No port, no load generator: the app's own latency.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seedDemo } from '../seeds/demo/index.ts';
import { generateInstitutionsAndGroups } from '../seeds/large/20-external-numbers.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { seededRandom } from '../src/lib/seeded-random.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '400' } } });
const requests = Number(values.requests);
const terms = ['ma', 'br', 'sm', 'gen', 'ca', 'yo', 'pat', 'le', 'zz', 'no', 'bir', 'smith l', 'x1'];

const dir = mkdtempSync(join(tmpdir(), 'ledgerdesk-bench-'));
const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', DB_FILE: join(dir, 'bench.sqlite') });
const db = createDb(config.database);
try {
  await migrateToLatest(db);
  await seedDemo(db);
  const random = seededRandom(42);
  await generateInstitutionsAndGroups(db, { institutions: 10_000, groups: 50_000, random });
  await db.raw('ANALYZE');
  const counts = await db.raw(
    'select (select count(*) from institutions) as institutions, (select count(*) from groups) as groups_count',
  );
  console.log(`institutions: ${counts[0].institutions}, groups: ${counts[0].groups_count}`);

  const app = await buildApp({ config, db });
  const login = await app.inject({ method: 'GET', url: '/login' });
  let cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(login.body)![1];
  const signedIn = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrf, email: 'support@example.com', password: 'demo-password' }).toString(),
  });
  cookie = signedIn.cookies.map((c) => `${c.name}=${c.value}`).join('; ');

  for (const kind of ['institution', 'group']) {
    const timings: number[] = [];
    for (let i = 0; i < requests + 20; i++) {
      const q = terms[i % terms.length];
      const started = process.hrtime.bigint();
      const response = await app.inject({
        method: 'GET',
        url: `/external-numbers/search?kind=${kind}&q=${encodeURIComponent(q)}`,
        headers: { cookie, 'hx-request': 'true' },
      });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (response.statusCode !== 200) throw new Error(`search answered ${response.statusCode}`);
      if (i >= 20) timings.push(ms); // the first requests warm up the JIT and caches
    }
    timings.sort((a, b) => a - b);
    const at = (p: number) => timings[Math.min(timings.length - 1, Math.floor(p * timings.length))].toFixed(2);
    console.log(
      `type-ahead (${kind}): median ${at(0.5)} ms, p95 ${at(0.95)} ms over ${timings.length} requests (target: median < 20 ms)`,
    );
  }
  await app.close();
} finally {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
}
