/**
 * Customer search at scale (F5): times searchCustomers and GET /customers?q= over a million customers.
 *
 *   node --import tsx bench/customer-search.ts [--customers 1000000] [--db /tmp/ledgerdesk-customer-search.sqlite]
 *
 * Builds the database once (migrated, demo data, then generated customers) and reuses it on later runs.
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { seedDemo } from '../seeds/demo/index.ts';
import { buildApp } from '../src/app.ts';
import { findUserByEmail, toStaffPrincipal } from '../src/auth/staff-users.ts';
import { loadConfig } from '../src/config.ts';
import { createDb, type Db } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { accountNumberFor } from '../src/features/customers/account-number.ts';
import { searchCustomers } from '../src/features/customers/search.ts';
import { nowIso } from '../src/lib/dates.ts';
import { signIn } from '../test/helpers/app.ts';
import { customerSearchTerms } from './customer-search-terms.ts';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    db: { type: 'string', default: '/tmp/ledgerdesk-customer-search.sqlite' },
    runs: { type: 'string', default: '400' },
  },
});
const target = Number(args.customers);
const runs = Number(args.runs);

/** Deterministic: the same seed gives the same database and the same terms. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(42);
const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];

const first = [
  'Ava',
  'Ben',
  'Chloe',
  'Daniel',
  'Ella',
  'Finn',
  'Grace',
  'Harry',
  'Isla',
  'Jack',
  'Kai',
  'Lily',
  'Mia',
  'Noah',
  'Olivia',
  'Priya',
  'Quinn',
  'Ruby',
  'Sam',
  'Theo',
  'Uma',
  'Victor',
  'Willow',
  'Yusuf',
  'Zara',
  'Amir',
  'Bea',
  'Carlos',
  'Dmitri',
  'Elif',
];
const last = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Johnson',
  'Davies',
  'Patel',
  'Robinson',
  'Wright',
  'Thompson',
  'Evans',
  'Walker',
  'White',
  'Roberts',
  'Green',
  'Hall',
  'Wood',
  'Jackson',
  'Clarke',
  'Khan',
  'Lewis',
  'Harris',
  'Martin',
  'Cooper',
  'King',
  'Lee',
  'Nguyen',
  'Okafor',
  'Kowalski',
  'Schmidt',
  'Rossi',
  'Murphy',
  "O'Brien",
  'Fischer',
  'Silva',
  'Jensen',
  'Novak',
  'Garcia',
];
const words = [
  'Acme',
  'Apex',
  'Atlas',
  'Beacon',
  'Blue',
  'Bright',
  'Cedar',
  'Cobalt',
  'Crown',
  'Delta',
  'Eagle',
  'Echo',
  'Falcon',
  'Granite',
  'Harbour',
  'Horizon',
  'Iron',
  'Juniper',
  'Kestrel',
  'Lakeside',
  'Maple',
  'Meridian',
  'Nova',
  'Oak',
  'Orchid',
  'Pinnacle',
  'Quarry',
  'Redwood',
  'Riverside',
  'Summit',
  'Thistle',
  'Union',
  'Vertex',
  'Willow',
  'Zenith',
  'Northgate',
  'Silverline',
  'Westbrook',
];
const trades = [
  'Plumbing',
  'Bakery',
  'Dental',
  'Freight',
  'Logistics',
  'Consulting',
  'Motors',
  'Florists',
  'Legal',
  'Accounting',
  'Builders',
  'Catering',
  'Design',
  'Electrical',
  'Fitness',
  'Hotels',
  'Insurance',
  'Joinery',
  'Kitchens',
  'Media',
  'Pharmacy',
  'Roofing',
  'Software',
  'Travel',
  'Veterinary',
];
const suffixes = ['Ltd', 'LLC', 'Inc', '& Sons', 'Group', 'Co', 'Partners', 'Services', ''];

function generated(i: number, resellerIds: number[], now: string) {
  const business = random() < 0.6;
  const name = business
    ? [pick(words), pick(trades), pick(suffixes)].filter(Boolean).join(' ')
    : `${pick(first)} ${pick(last)}`;
  const slug = name.toLowerCase().replace(/[^a-z]+/g, '');
  const email = business ? `accounts@${slug}${i}.example` : `${slug}${i}@mail.example`;
  // One big reseller (the demo's Northwind) and many small ones, as in a real channel.
  const resellerId = random() < 0.2 ? resellerIds[0] : pick(resellerIds);
  // i * 7919 mod 10^7 is one-to-one below 10^7 (7919 is prime), so the ids never collide.
  const customId =
    random() < 0.4 ? `${pick(['CRM', 'ACC', 'ERP', 'SF'])}-${String((i * 7919) % 1e7).padStart(7, '0')}` : null;
  return [
    accountNumberFor(i),
    name,
    business ? 'business' : 'personal',
    random() < 0.95 ? 'active' : 'suspended',
    resellerId,
    customId,
    email,
    now,
    now,
  ];
}

async function buildDatabase(db: Db): Promise<void> {
  await migrateToLatest(db);
  if (!(await db('users').first())) await seedDemo(db);
  const [{ count }] = await db('customers').count({ count: '*' });
  let have = Number(count);
  if (have >= target) return;
  const now = nowIso();
  const resellerIds: number[] = (await db('resellers').orderBy('id').pluck('id')) as number[];
  for (let r = resellerIds.length; r < 20; r++) {
    const [row] = await db('resellers')
      .insert({ name: `Channel Partner ${r + 1}`, created_at: now })
      .returning('id');
    resellerIds.push(row.id);
  }
  // Raw prepared statements: a million rows through the query builder would take minutes longer.
  const connection = await db.client.acquireConnection();
  try {
    const insert = connection.prepare(
      `INSERT INTO customers (account_number, name, kind, status, reseller_id, custom_account_id, email, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const batch = connection.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) insert.run(generated(i, resellerIds, now));
    });
    const started = performance.now();
    while (have < target) {
      const to = Math.min(target, have + 50_000);
      batch(have + 1, to + 1);
      have = to;
      process.stdout.write(
        `\r  ${have.toLocaleString('en-US')} customers (${Math.round((performance.now() - started) / 1000)} s)`,
      );
    }
    process.stdout.write('\n');
    connection.exec('ANALYZE');
  } finally {
    await db.client.releaseConnection(connection);
  }
}

function stats(label: string, times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2);
  console.log(
    `${label.padEnd(44)} median ${at(0.5)} ms   p90 ${at(0.9)} ms   p99 ${at(0.99)} ms   (n=${times.length})`,
  );
  return Number(at(0.5));
}

const config = loadConfig({
  NODE_ENV: 'production',
  LOG_LEVEL: 'silent',
  DB_FILE: args.db,
  JOBS: 'off',
  SESSION_SECRET: 'b'.repeat(40),
});
if (!existsSync(args.db)) console.log(`Building ${args.db} with ${target.toLocaleString('en-US')} customers…`);
const db = createDb(config.database);
try {
  await buildDatabase(db);
  const terms = await customerSearchTerms(db, random);
  const medians: number[] = [];
  for (const email of ['admin@example.com', 'reseller@example.com']) {
    const user = toStaffPrincipal((await findUserByEmail(db, email))!);
    const times: number[] = [];
    let found = 0;
    for (let i = 0; i < runs; i++) {
      const term = terms[i % terms.length];
      const started = performance.now();
      const result = await searchCustomers(db, user, term, 1 + (i % 3 === 2 ? 1 : 0));
      times.push(performance.now() - started);
      found += result.customers.length;
    }
    medians.push(stats(`searchCustomers as ${user.role} (${Math.round(found / runs)} rows/page)`, times));
  }

  const app = await buildApp({ config, db, signInLimits: { perAccount: 1e6, perClient: 1e6, windowMinutes: 1 } });
  for (const email of ['admin@example.com', 'reseller@example.com']) {
    const agent = await signIn(app, email);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const url = `/customers?q=${encodeURIComponent(terms[i % terms.length])}`;
      const started = performance.now();
      const response = await agent.get(url);
      times.push(performance.now() - started);
      if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
    }
    medians.push(stats(`GET /customers?q= as ${email.split('@')[0]}`, times));
  }
  await app.close();
  const worst = Math.max(...medians);
  console.log(
    worst < 30
      ? `OK: every median under 30 ms (worst ${worst} ms)`
      : `TOO SLOW: worst median ${worst} ms (target 30 ms)`,
  );
  process.exitCode = worst < 30 ? 0 : 1;
} finally {
  await db.destroy();
}
