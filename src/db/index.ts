import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knex, { type Knex } from 'knex';
import pg from 'pg';
import type { Config } from '../config.ts';
import { LedgerSqliteClient } from './sqlite-client.ts';

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
      connection: { connectionString: database.url, types: sqliteShapedTypes },
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
const sqliteShapedTypes: Knex.PgCustomTypesConfig = {
  getTypeParser(oid, format) {
    switch (oid) {
      case pg.types.builtins.BOOL:
        return (value: string) => (value === 't' ? 1 : 0);
      case pg.types.builtins.INT8:
      case pg.types.builtins.NUMERIC:
        return Number;
      default:
        return pg.types.getTypeParser(oid, format as 'text' | 'binary');
    }
  },
};

/** Runs `work` in the caller's transaction if there is one, else in a new one. */
export function inTransaction<T>(db: Queryable, work: (trx: Tx) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Tx) : db.transaction(work);
}
