import { dialectOf } from './dialect.ts';
import type { Queryable } from './index.ts';

// Schema changes for migrations that differ by database, beside dialect.ts (which features use).

/**
 * For a migration: bounds money columns to ±limit. PostgreSQL widens them to bigint and adds a CHECK;
 * SQLite cannot add a CHECK to an existing table without rebuilding it, so triggers refuse the same
 * rows (an insert or update out of bounds fails with "money out of bounds").
 */
export async function boundMoneyColumns(db: Queryable, table: string, columns: string[], limit: number) {
  if (dialectOf(db) === 'postgres') {
    for (const c of columns) {
      await db.raw('ALTER TABLE ?? ALTER COLUMN ?? TYPE bigint', [table, c]);
      await db.raw(`ALTER TABLE ?? ADD CONSTRAINT ?? CHECK (?? BETWEEN -${limit} AND ${limit})`, [
        table,
        `${table}_${c}_bound`,
        c,
      ]);
    }
    return;
  }
  const outside = columns.map((c) => `NEW.${c} NOT BETWEEN -${limit} AND ${limit}`).join(' OR ');
  for (const event of ['INSERT', `UPDATE OF ${columns.join(', ')}`]) {
    const name = `${table}_money_bound_${event.startsWith('INSERT') ? 'insert' : 'update'}`;
    await db.raw(
      `CREATE TRIGGER ${name} BEFORE ${event} ON ${table} WHEN ${outside} BEGIN SELECT RAISE(ABORT, 'money out of bounds'); END`,
    );
  }
}

/** Undoes boundMoneyColumns (PostgreSQL's columns go back to integer). */
export async function unboundMoneyColumns(db: Queryable, table: string, columns: string[]) {
  if (dialectOf(db) === 'postgres') {
    for (const c of columns) {
      await db.raw('ALTER TABLE ?? DROP CONSTRAINT ??', [table, `${table}_${c}_bound`]);
      await db.raw('ALTER TABLE ?? ALTER COLUMN ?? TYPE integer', [table, c]);
    }
    return;
  }
  for (const suffix of ['insert', 'update']) await db.raw(`DROP TRIGGER IF EXISTS ${table}_money_bound_${suffix}`);
}
