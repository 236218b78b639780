import type { Queryable } from './index.ts';

/**
 * The one place that knows which database we are on. Features call these helpers and never branch on
 * the dialect themselves.
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
