// npm run seed:large -- --customers 1000000 [--file data/large.sqlite] [--seed 42]
// Builds a fresh, deterministic benchmark database: migrations, the demo data (for its users), then every
// generator in seeds/large/ in name order.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { seedDemo } from './demo/index.ts';
import type { LargeSeedFile } from './large/types.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    file: { type: 'string', default: 'data/large.sqlite' },
    seed: { type: 'string', default: '42' },
  },
});
const args = z
  .object({
    customers: z.coerce.number().int().min(1).max(20_000_000),
    file: z.string().min(1),
    seed: z.coerce.number().int(),
  })
  .parse(values);

/** mulberry32: a small, fast, seedable generator, so the same arguments give the same database. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

for (const suffix of ['', '-wal', '-shm']) if (existsSync(args.file + suffix)) rmSync(args.file + suffix);
const db = createDb(loadConfig({ DB_FILE: args.file }).database);
const started = Date.now();
await migrateToLatest(db);
await seedDemo(db);

const dir = fileURLToPath(new URL('./large/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => /^\d+-.*\.ts$/.test(f))
  .sort();
const random = seededRandom(args.seed);
for (const file of files) {
  const t0 = Date.now();
  const module = (await import(pathToFileURL(dir + file).href)) as LargeSeedFile;
  await module.generate(db, { customers: args.customers, random });
  console.log(`${file}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
// Statistics for the planner: sqlite_stat1's counts only. With sqlite_stat4's samples SQLite plans a statement
// again every time a value is bound to a sampled column (customer_id, almost every read), which doubled the
// cost of an indexed read (docs/performance.md, "Plans made once").
await db.raw('ANALYZE');
await db.raw('DROP TABLE IF EXISTS sqlite_stat4');
console.log(
  `Generated ${args.customers.toLocaleString('en-US')} customers in ${args.file} in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
);
await db.destroy();
