import type { Db } from '../../src/db/index.ts';
import { tablesOf } from './table-list.ts';

/**
 * Counts every row inserted, updated or deleted in the given database's tables, except `ignored` ones, with
 * triggers that bump one counter row. Reading it is one tiny query, where a checksum of every table cost
 * the fuzz test most of its time. A rolled-back transaction takes its counts back with it, so the counter
 * moves exactly when rows really changed. Test-only: it is installed on a test's own copy of the database.
 */
export async function installChangeCounter(db: Db, ignored: Set<string>): Promise<() => Promise<number>> {
  const sqlite = db.client.config.client !== 'pg';
  // A full-text index (a virtual table and its shadow tables) follows its source table, which is counted.
  const virtual: { name: string }[] = sqlite
    ? await db.raw("select name from sqlite_master where type = 'table' and sql like 'CREATE VIRTUAL TABLE%'")
    : [];
  const derived = (name: string) => virtual.some((v) => name === v.name || name.startsWith(`${v.name}_`));
  const tables = (await tablesOf(db)).rows.filter(
    (name) => !ignored.has(name) && !name.startsWith('knex_') && !derived(name),
  );
  await db.schema.createTable('test_row_changes', (table) => table.bigInteger('n').notNullable());
  await db('test_row_changes').insert({ n: 0 });
  if (!sqlite)
    await db.raw(`create function test_count_row_change() returns trigger language plpgsql as
      $$ begin update test_row_changes set n = n + 1; return null; end $$`);
  for (const table of tables)
    if (sqlite)
      for (const event of ['insert', 'update', 'delete'])
        await db.raw(
          `create trigger "test_${event}_${table}" after ${event} on "${table}"
           begin update test_row_changes set n = n + 1; end`,
        );
    else
      await db.raw(`create trigger "test_change_${table}" after insert or update or delete on "${table}"
        for each row execute function test_count_row_change()`);
  const read = db('test_row_changes').first('n');
  return async () => Number((await read.clone())?.n);
}
