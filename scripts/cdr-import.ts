/**
 * Imports a call record file (D4 *Unbilled CDRs*), the way the Call Records page does:
 *   npm run cdr:import -- FILE
 * Bad rows are printed with their line numbers; calls imported before are not added again.
 */
import { createReadStream, existsSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/index.ts';
import { importCdrs } from '../src/features/usage/import.ts';

const { positionals } = parseArgs({ allowPositionals: true });
const file = positionals[0];
if (!file || !existsSync(file)) {
  console.error('Usage: npm run cdr:import -- FILE (a CSV file of call records)');
  process.exit(2);
}
const db = createDb(loadConfig().database);
try {
  const outcome = await importCdrs(db, createReadStream(file), { filename: basename(file), actor: { userId: null } });
  for (const bad of outcome.detail) console.log(`line ${bad.line}: ${bad.reason}`);
  if (outcome.badRows > outcome.detail.length)
    console.log(`… and ${outcome.badRows - outcome.detail.length} more bad rows`);
  console.log(
    `${outcome.rowsRead} rows read: ${outcome.imported} imported, ${outcome.duplicates} already there, ${outcome.badRows} bad.`,
  );
  process.exitCode = outcome.badRows > 0 ? 1 : 0;
} finally {
  await db.destroy();
}
