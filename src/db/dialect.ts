import type { Knex } from 'knex';
import type { Queryable } from './index.ts';

/**
 * The one place that knows which database we are on. Features call these helpers and never branch on
 * the dialect themselves; when a feature needs SQL that differs, it adds a small helper here (with a
 * test in test/db/dialect.test.ts, which runs on both databases).
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
 * `lower(column)` starts with the (lower-cased) term, written as a range so that an index on
 * `lower(column)` answers it on SQLite and PostgreSQL alike (LIKE 'x%' would scan on SQLite).
 */
export function lowerPrefix(db: Queryable, column: string, term: string) {
  const low = term.toLowerCase();
  const high = low.slice(0, -1) + String.fromCodePoint(low.codePointAt(low.length - 1)! + 1);
  return db.raw('lower(??) >= ? and lower(??) < ?', [column, low, column, high]);
}

/** The column starts with the term exactly (case as given), as an index range. */
export function exactPrefix(db: Queryable, column: string, term: string) {
  const high = term.slice(0, -1) + String.fromCodePoint(term.codePointAt(term.length - 1)! + 1);
  return db.raw('?? >= ? and ?? < ?', [column, term, column, high]);
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

const searchIndexName = (table: string, column: string) => `${table}_${column}_search`;

/**
 * For a migration: indexes a text column for `matchesText`, so that a substring search stays fast
 * on millions of rows. SQLite: an FTS5 trigram index kept current by triggers. PostgreSQL: a pg_trgm
 * GIN index (the extension goes into `public`, shared by every schema of the database).
 */
export async function createTextSearch(db: Knex, table: string, column: string, idColumn = 'id'): Promise<void> {
  const index = searchIndexName(table, column);
  if (dialectOf(db) === 'postgres') {
    await db.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public');
    await db.raw('CREATE INDEX ?? ON ?? USING gin (?? public.gin_trgm_ops)', [index, table, column]);
    return;
  }
  const ids = { index, table, column, id: idColumn };
  const sql = (template: string) => template.replace(/\{(\w+)\}/g, (_, key: keyof typeof ids) => `"${ids[key]}"`);
  await db.raw(sql(`CREATE VIRTUAL TABLE {index} USING fts5({column}, content={table}, content_rowid={id}, tokenize='trigram')`));
  await db.raw(sql(`CREATE TRIGGER "${index}_insert" AFTER INSERT ON {table} BEGIN
    INSERT INTO {index}(rowid, {column}) VALUES (new.{id}, new.{column}); END`));
  await db.raw(sql(`CREATE TRIGGER "${index}_delete" AFTER DELETE ON {table} BEGIN
    INSERT INTO {index}({index}, rowid, {column}) VALUES ('delete', old.{id}, old.{column}); END`));
  await db.raw(sql(`CREATE TRIGGER "${index}_update" AFTER UPDATE OF {column} ON {table} BEGIN
    INSERT INTO {index}({index}, rowid, {column}) VALUES ('delete', old.{id}, old.{column});
    INSERT INTO {index}(rowid, {column}) VALUES (new.{id}, new.{column}); END`));
  await db.raw(sql(`INSERT INTO {index}({index}) VALUES ('rebuild')`));
}

/** For a migration's `down`: removes what createTextSearch made. */
export async function dropTextSearch(db: Knex, table: string, column: string): Promise<void> {
  const index = searchIndexName(table, column);
  if (dialectOf(db) === 'postgres') {
    await db.raw('DROP INDEX IF EXISTS ??', [index]);
    return;
  }
  for (const trigger of ['insert', 'delete', 'update']) await db.raw(`DROP TRIGGER IF EXISTS "${index}_${trigger}"`);
  await db.raw(`DROP TABLE IF EXISTS "${index}"`);
}

/**
 * Rows whose column contains the term, case-insensitively and literally, using the createTextSearch
 * index. Terms under three characters cannot use a trigram index and scan the table: give short terms
 * a prefix search on an ordinary index instead (likeInsensitive 'prefix').
 */
export function matchesText(db: Queryable, table: string, column: string, term: string, idColumn = 'id'): Knex.Raw {
  if (dialectOf(db) === 'postgres' || [...term].length < 3) return likeInsensitive(db, `${table}.${column}`, term, 'contains');
  return db.raw(`??.?? IN (SELECT rowid FROM ?? WHERE ?? MATCH ?)`, [
    table,
    idColumn,
    searchIndexName(table, column),
    searchIndexName(table, column),
    `"${term.replace(/"/g, '""')}"`,
  ]);
}
