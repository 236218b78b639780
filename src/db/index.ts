import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import knex, { type Knex } from 'knex';
import type pg from 'pg';
import type { Config } from '../config.ts';
import { LedgerSqliteClient } from './sqlite-client.ts';

export { readFromNow } from './sqlite-client.ts';

const require = createRequire(import.meta.url);

export type Db = Knex;
export type Tx = Knex.Transaction;
/** Either the database handle or a transaction: domain functions accept both. */
export type Queryable = Knex | Knex.Transaction;

/**
 * The database handle. `servesPages` (the app process's own handle, not a worker thread's) gives SQLite a
 * large page cache and a memory map for a read-mostly load of many small indexed reads; worker threads
 * keep SQLite's defaults, so long jobs stay inside their memory bounds (docs/performance.md).
 */
export function createDb(database: Config['database'], { servesPages = false } = {}): Db {
  if (database.kind === 'postgres') {
    return knex({
      client: 'pg',
      // pg is loaded only here (Knex loads its driver the same way): on SQLite, the process and each of its
      // worker threads are spared its modules, about 5 MB each.
      connection: { connectionString: database.url, types: sqliteShapedTypes(require('pg')) },
      pool: { min: 0, max: 10 },
    });
  }
  if (database.file !== ':memory:') mkdirSync(dirname(database.file), { recursive: true });
  return knex({
    client: LedgerSqliteClient as unknown as typeof Knex.Client,
    // Read by LedgerSqliteClient when it opens the connection.
    connection: { filename: database.file, servesPages } as Knex.Sqlite3ConnectionConfig,
    useNullAsDefault: true,
    // One connection: SQLite has one writer anyway, and a single connection keeps BEGIN IMMEDIATE simple.
    pool: { min: 1, max: 1 },
  });
}

/**
 * PostgreSQL values shaped like SQLite's, so code and tests written on either database see the same
 * rows: booleans as 1/0, and counts and sums (bigint, numeric) as numbers rather than strings. Money is
 * integer cents, far below 2^53.
 */
const sqliteShapedTypes = (driver: typeof pg): Knex.PgCustomTypesConfig => ({
  getTypeParser(oid, format) {
    const { types } = driver;
    switch (oid) {
      case types.builtins.BOOL:
        return (value: string) => (value === 't' ? 1 : 0);
      case types.builtins.INT8:
      case types.builtins.NUMERIC:
        return Number;
      default:
        return types.getTypeParser(oid, format as 'text' | 'binary');
    }
  },
});

/**
 * Runs a read and answers its rows as arrays of their values in select order, for reads of a million rows
 * (a report's export) where an object per row costs more than the query. node-postgres does it itself
 * (its rowMode, which Knex passes on); our SQLite client reads through better-sqlite3's raw mode.
 */
export async function selectArrays<Row extends unknown[]>(query: Knex.QueryBuilder | Knex.Raw): Promise<Row[]> {
  const result = await query.options({ rowMode: 'array' });
  // A raw statement answers node-postgres's whole result on PostgreSQL, and the rows alone on SQLite.
  return Array.isArray(result) ? result : result.rows;
}

/**
 * A constant of the code (never a user's value) written into the SQL instead of bound: SQLite decides
 * whether a partial index applies (invoices' `open_cents > 0`, drafts' `kind = 'new-customer'`) by
 * seeing the value, so with a bound one it plans the statement again on every run (docs/performance.md,
 * "Plans made once"). Integers and plain words only.
 */
export function sqlConstant(db: Queryable, value: number | string): Knex.Raw {
  if (typeof value === 'number' ? !Number.isSafeInteger(value) : !/^[\w-]+$/.test(value))
    throw new Error(`Not a constant for SQL: ${value}`);
  return db.raw(typeof value === 'number' ? String(value) : `'${value}'`);
}

/** Runs `work` in the caller's transaction if there is one, else in a new one. */
export function inTransaction<T>(db: Queryable, work: (trx: Tx) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Tx) : db.transaction(work);
}
