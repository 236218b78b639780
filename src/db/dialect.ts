import type { Knex } from 'knex';
import type { Queryable } from './index.ts';
import { endReadBatches } from './sqlite-client.ts';

/**
 * The one place features ask which database we are on (with text-search.ts and money-bounds.ts beside
 * it). Features call these helpers and never branch on the dialect themselves; when a feature needs SQL
 * that differs, it adds a small helper here, with a test in test/db/database.test.ts (run on both).
 *
 * Portable without a helper (Knex writes the right SQL for both): upserts with
 * `.onConflict(columns).merge()` or `.ignore()`, and `.returning(columns)`. Timestamps are ISO strings
 * and compare correctly as text; booleans and counts come back as numbers on both (see createDb).
 */
export function dialectOf(db: Queryable): 'sqlite' | 'postgres' {
  return db.client.config.client === 'pg' ? 'postgres' : 'sqlite';
}

/** True when the error is a unique-constraint violation (SQLite or PostgreSQL). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === '23505';
}

/**
 * Inserts a row; false instead of an error when a unique constraint already holds its values (a name or
 * key taken). Outside a transaction, or as a transaction's last statement: on PostgreSQL the failed
 * statement ends the transaction.
 */
export async function insertUnlessTaken(
  db: Queryable,
  table: string,
  values: Record<string, unknown>,
): Promise<boolean> {
  try {
    await db(table).insert(values);
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/**
 * True when the error is a unique violation of exactly this table's unique constraint over `columns`
 * (created by the schema builder, so PostgreSQL names it table_col1_col2_unique).
 */
export function isUniqueViolationOf(error: unknown, table: string, columns: readonly string[]): boolean {
  if (!isUniqueViolation(error)) return false;
  const e = error as { constraint?: string; message?: string };
  if (e.constraint) return e.constraint === `${table}_${columns.join('_')}_unique`;
  return (e.message ?? '').endsWith(`: ${columns.map((c) => `${table}.${c}`).join(', ')}`);
}

/** Case-insensitive match of a column against user text, literally (LIKE wildcards in the text are escaped). */
export function likeInsensitive(db: Queryable, column: string, term: string, where: 'prefix' | 'contains') {
  const pattern = `${where === 'contains' ? '%' : ''}${escapeLike(term)}%`;
  const operator = dialectOf(db) === 'postgres' ? 'ILIKE' : 'LIKE';
  return db.raw(`?? ${operator} ? ESCAPE '\\'`, [column, pattern]);
}

/** Escapes LIKE wildcards so user input matches literally. */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Locks the selected rows until the transaction ends (PostgreSQL's FOR UPDATE). SQLite needs nothing:
 * its write transactions begin IMMEDIATE and so already run one at a time.
 */
export function lockForUpdate<Q extends { forUpdate(): Q }>(db: Queryable, query: Q): Q {
  return dialectOf(db) === 'postgres' ? query.forUpdate() : query;
}

/**
 * `lower(column)` in [low, high): with prefixRange of a lower-cased term, the rows whose column starts with
 * it, written as a range so that an index on `lower(column)` answers it on SQLite and PostgreSQL alike
 * (LIKE 'x%' would scan on SQLite). The bounds may be a prepared statement's parameters.
 */
export function lowerInRange(db: Queryable, column: string, low: string, high: string) {
  return db.raw('lower(??) >= ? and lower(??) < ?', [column, low, column, high]);
}

/** The column in [low, high): with prefixRange, the rows whose column starts with a term exactly (case as given). */
export function inRange(db: Queryable, column: string, low: string, high: string) {
  return db.raw('?? >= ? and ?? < ?', [column, low, column, high]);
}

/** The strings that start with `prefix` are those in [low, high). */
export function prefixRange(prefix: string): { low: string; high: string } {
  return { low: prefix, high: prefix.slice(0, -1) + String.fromCodePoint(prefix.codePointAt(prefix.length - 1)! + 1) };
}

/**
 * Makes transactions that take the same `name` run one after another from here until they end, for
 * "highest number plus one" allocations. PostgreSQL: a transaction-scoped advisory lock. SQLite needs
 * nothing: its write transactions begin IMMEDIATE and so already run one at a time.
 */
export async function serialiseOn(trx: Knex.Transaction | Queryable, name: string): Promise<void> {
  if (dialectOf(trx) === 'postgres') await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [name]);
}

/**
 * Makes a SELECT inside a transaction claim its rows, so that several processes can take work from
 * one table without taking the same row twice or waiting for each other. PostgreSQL locks the rows and
 * skips rows another transaction has locked; on SQLite the transaction itself already holds the
 * database's only write lock (our client begins with BEGIN IMMEDIATE), so nothing is added.
 * Follow it with an UPDATE of the claimed rows in the same transaction.
 */
export function claimingRows<Q extends Knex.QueryBuilder>(trx: Knex.Transaction, query: Q): Q {
  return dialectOf(trx) === 'postgres' ? (query.forUpdate().skipLocked() as Q) : query;
}

/** An ISO date column plus a number of days (negative to go back), as an ISO date: `YYYY-MM-DD`. */
export function datePlusDays(db: Queryable, column: string, days: number): Knex.Raw {
  if (!Number.isInteger(days)) throw new TypeError('days must be a whole number');
  return dialectOf(db) === 'postgres'
    ? db.raw(`to_char(CAST(?? AS date) + ?::integer, 'YYYY-MM-DD')`, [column, days])
    : db.raw(`date(??, ? || ' days')`, [column, `${days >= 0 ? '+' : ''}${days}`]);
}

/** Whole days from one ISO date column to another (negative when `to` is earlier). */
export function daysBetween(db: Queryable, fromColumn: string, toColumn: string): Knex.Raw {
  return dialectOf(db) === 'postgres'
    ? db.raw('(CAST(?? AS date) - CAST(?? AS date))', [toColumn, fromColumn])
    : db.raw('CAST(julianday(date(??)) - julianday(date(??)) AS integer)', [toColumn, fromColumn]);
}

/**
 * Runs `work` while holding a lock of this name across every process on the database, e.g. so that
 * processes starting together migrate one after another. PostgreSQL: a session advisory lock on one
 * pooled connection. SQLite needs none: its processes share one file and one write lock, and
 * installations on SQLite start one process.
 */
export async function whileLocked<T>(db: Knex, name: string, work: () => Promise<T>): Promise<T> {
  if (dialectOf(db) !== 'postgres') return work();
  const connection = await db.client.acquireConnection();
  try {
    await db.raw('SELECT pg_advisory_lock(hashtext(?))', [name]).connection(connection);
    try {
      return await work();
    } finally {
      await db.raw('SELECT pg_advisory_unlock(hashtext(?))', [name]).connection(connection);
    }
  } finally {
    await db.client.releaseConnection(connection);
  }
}

/**
 * For a migration: renames a table. Foreign keys of other tables follow it on both databases (SQLite
 * rewrites their REFERENCES, PostgreSQL refers by identity). On PostgreSQL the table's own constraints
 * (its primary key, Knex's `<table>_<column>_foreign`) are renamed too, so that they keep Knex's names
 * and a later `dropForeign` finds them; SQLite's constraints have no names of their own.
 */
export async function renameTable(db: Queryable, from: string, to: string): Promise<void> {
  await db.schema.renameTable(from, to);
  if (dialectOf(db) !== 'postgres') return;
  const { rows } = await db.raw<{ rows: { name: string }[] }>(
    'SELECT conname AS name FROM pg_constraint WHERE conrelid = ?::regclass AND starts_with(conname, ?)',
    [to, `${from}_`],
  );
  for (const { name } of rows)
    await db.raw('ALTER TABLE ?? RENAME CONSTRAINT ?? TO ??', [to, name, `${to}_${name.slice(from.length + 1)}`]);
}

/** Longer than the longest pause between two tries of a statement that found the database locked (sqlite-client.ts). */
const WRITERS_TURN_MS = 6;

/**
 * Between the write transactions of long work (the Autopay cycle on a worker thread): on SQLite, a short
 * pause with the write lock free, so that the writes of pages and other processes, which try again every
 * few milliseconds while it is taken, get their turn instead of waiting for the whole job. Inside a
 * caller's transaction the lock is held throughout anyway, and PostgreSQL locks rows, not the database.
 */
export async function letOtherWritersIn(db: Queryable): Promise<void> {
  if (dialectOf(db) === 'postgres' || db.isTransaction) return;
  await new Promise((resolve) => setTimeout(resolve, WRITERS_TURN_MS));
}

/**
 * For a handle of its own doing bulk writes (an import, a bill run on a worker thread): on SQLite, a page
 * cache of `mib` instead of the default 2 MiB, so that index pages touched by every few rows stay in memory
 * instead of being read back and written to the WAL again and again (inserting a million call records: 22 s of
 * CPU with the default, 19 s with 64 MiB). PostgreSQL sizes its cache server-side.
 */
export async function enlargeCacheForBulkWork(db: Queryable, mib: number): Promise<void> {
  if (dialectOf(db) === 'postgres') return;
  await db.raw(`pragma cache_size = -${Math.round(mib * 1024)}`);
}

/**
 * A transaction whose commit does not wait for the disk, for rows a crash may lose (the access trail's
 * batches, written behind the pages): the page server's event loop then never waits on an fsync, which
 * took up to 70 ms while a worker thread wrote beside it. SQLite: `synchronous = NORMAL` for this one
 * transaction, set on a connection held from before it begins until it is FULL again, so that no other
 * transaction (a payment) can commit in between; in WAL mode the commit is still atomic, and the next
 * FULL commit makes it durable. PostgreSQL: `synchronous_commit` off for this transaction alone.
 */
export async function transactionWithoutFlush<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  if (dialectOf(db) === 'postgres')
    return db.transaction(async (trx) => {
      await trx.raw('set local synchronous_commit = off');
      return work(trx);
    });
  const connection = (await db.client.acquireConnection()) as { pragma(source: string): unknown };
  try {
    // A pragma cannot change the safety level inside the batch of reads sqlite-client.ts may have open.
    endReadBatches();
    connection.pragma('synchronous = NORMAL');
    try {
      return await db.transaction(work, { connection });
    } finally {
      connection.pragma('synchronous = FULL');
    }
  } finally {
    db.client.releaseConnection(connection);
  }
}
