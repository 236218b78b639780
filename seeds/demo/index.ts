import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Db, Tx } from '../../src/db/index.ts';

const demoDir = fileURLToPath(new URL('./', import.meta.url));

/**
 * Demo data for `npm start` and the tests. Each feature owns a numbered file here (10-core.ts, 20-….ts)
 * exporting `seed(trx)`; they run in name order inside one transaction.
 */
export async function seedDemo(db: Db): Promise<void> {
  const files = readdirSync(demoDir)
    .filter((f) => /^\d+-.*\.ts$/.test(f))
    .sort();
  const modules = await Promise.all(
    files.map(async (f) => (await import(pathToFileURL(`${demoDir}${f}`).href)) as { seed(trx: Tx): Promise<void> }),
  );
  await db.transaction(async (trx) => {
    for (const module of modules) await module.seed(trx);
  });
}

/** Loads the demo data when the database has no users yet; returns whether it did. */
export async function seedDemoIfEmpty(db: Db): Promise<boolean> {
  const row = await db('users').count({ count: '*' }).first();
  if (Number(row?.count ?? 0) > 0) return false;
  await seedDemo(db);
  return true;
}
