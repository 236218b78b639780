import t from 'tap';
import { dialectOf } from '../../src/db/dialect.ts';
import type { Db } from '../../src/db/index.ts';
import { migrateToLatest, rollbackAll } from '../../src/db/migrate.ts';
import { openEmptyTestDatabase } from '../helpers/app.ts';

/**
 * The tables, indexes and triggers the migrations made, by kind and name: everything in the database (on
 * PostgreSQL, in the test's schema) except Knex's record of which migrations ran and SQLite's own tables.
 */
async function schemaObjects(db: Db): Promise<string[]> {
  const rows: { kind: string; name: string }[] =
    dialectOf(db) === 'postgres'
      ? (
          await db.raw(`
            SELECT 'table' AS kind, table_name AS name FROM information_schema.tables
              WHERE table_schema = current_schema()
            UNION ALL SELECT 'index', indexname FROM pg_indexes WHERE schemaname = current_schema()
            UNION ALL SELECT 'trigger', trigger_name FROM information_schema.triggers
              WHERE trigger_schema = current_schema()`)
        ).rows
      : await db('sqlite_master').select({ kind: 'type', name: 'name' });
  return rows
    .filter(({ name }) => !/^(knex_migrations|sqlite_)/.test(name))
    .map(({ kind, name }) => `${kind} ${name}`)
    .sort();
}

t.test('every migration goes down, to an empty database, and up again to the same tables', async (t) => {
  const { db } = await openEmptyTestDatabase(t);

  await migrateToLatest(db);
  const migrated = await schemaObjects(db);
  t.ok(migrated.includes('table customers') && migrated.includes('table invoices'), 'up creates the app tables');

  await rollbackAll(db);
  t.same(await schemaObjects(db), [], 'no table, index or trigger of the app is left');

  await migrateToLatest(db);
  t.same(await schemaObjects(db), migrated, 'up again brings back the same tables, indexes and triggers');
});
