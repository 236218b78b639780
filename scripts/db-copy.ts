// npm run db:copy -- --from sqlite:data/ledgerdesk.sqlite --to postgres://user@host:5432/ledgerdesk
// Moves a SQLite installation's data into an empty PostgreSQL database and checks the copy row for row.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CopyError, copyDatabase } from '../src/db/copy.ts';
import { createDb } from '../src/db/index.ts';

const usage = 'Usage: npm run db:copy -- --from sqlite:FILE --to postgres://USER@HOST:PORT/DATABASE';
const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
const file = values.from?.startsWith('sqlite:') ? resolve(values.from.slice('sqlite:'.length)) : undefined;
if (!file || !values.to || !/^postgres(ql)?:\/\//.test(values.to)) {
  console.error(usage);
  process.exit(1);
}
if (!existsSync(file)) {
  console.error(`There is no SQLite database at ${file}.`);
  process.exit(1);
}

const source = createDb({ kind: 'sqlite', file });
const target = createDb({ kind: 'postgres', url: values.to });
try {
  const tables = await copyDatabase(source, target, (line) => console.log(line));
  console.log(
    `Checked: every table has the same rows in both databases (${tables.length} tables, ${tables.reduce((n, t) => n + t.rows, 0)} rows).`,
  );
  for (const table of tables)
    console.log(`  ${table.table.padEnd(32)} ${String(table.rows).padStart(9)}  ${table.checksum}`);
} catch (error) {
  console.error(error instanceof CopyError ? error.message : error);
  process.exitCode = 1;
} finally {
  await source.destroy();
  await target.destroy();
}
