import type { Queryable } from './index.ts';
import type { Knex } from 'knex';

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
 * A substring index over some text columns of a table. On SQLite it is an FTS5 table with the trigram
 * tokenizer, kept in step by triggers; on PostgreSQL a pg_trgm GIN index over the columns joined.
 */
export type TextIndex = Readonly<{ name: string; table: string; columns: readonly string[] }>;

/** Shortest term the text index can answer; shorter terms need a plan of their own (a prefix index). */
export const TEXT_INDEX_MIN_LENGTH = 3;

/** The columns joined into one text, the same expression in the PostgreSQL index and in its queries. */
function joinedColumns(index: TextIndex, alias = index.table): string {
  return index.columns.map((c) => `coalesce("${alias}"."${c}", '')`).join(` || ' ' || `);
}

/** Creates the text index (for a migration's `up`) and fills it from the rows already there. */
export async function createTextIndex(db: Queryable, index: TextIndex): Promise<void> {
  const { name, table, columns } = index;
  if (dialectOf(db) === 'postgres') {
    await db.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await db.raw(`CREATE INDEX "${name}" ON "${table}" USING gin ((${joinedColumns(index)}) gin_trgm_ops)`);
    return;
  }
  const list = columns.join(', ');
  const values = (prefix: string) => columns.map((c) => `${prefix}.${c}`).join(', ');
  // External content: the index stores only trigrams and reads the text from the table itself.
  await db.raw(`CREATE VIRTUAL TABLE ${name} USING fts5(${list}, content='${table}', content_rowid='id', tokenize='trigram')`);
  await db.raw(`CREATE TRIGGER ${name}_ai AFTER INSERT ON ${table} BEGIN
    INSERT INTO ${name}(rowid, ${list}) VALUES (new.id, ${values('new')}); END`);
  await db.raw(`CREATE TRIGGER ${name}_ad AFTER DELETE ON ${table} BEGIN
    INSERT INTO ${name}(${name}, rowid, ${list}) VALUES ('delete', old.id, ${values('old')}); END`);
  // Only when an indexed column changes, so a status or version update costs no index work.
  await db.raw(`CREATE TRIGGER ${name}_au AFTER UPDATE OF ${list} ON ${table} BEGIN
    INSERT INTO ${name}(${name}, rowid, ${list}) VALUES ('delete', old.id, ${values('old')});
    INSERT INTO ${name}(rowid, ${list}) VALUES (new.id, ${values('new')}); END`);
  await db.raw(`INSERT INTO ${name}(${name}) VALUES ('rebuild')`);
}

/** Drops the text index (for a migration's `down`). */
export async function dropTextIndex(db: Queryable, index: TextIndex): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await db.raw(`DROP INDEX IF EXISTS "${index.name}"`);
    return;
  }
  for (const suffix of ['ai', 'ad', 'au']) await db.raw(`DROP TRIGGER IF EXISTS ${index.name}_${suffix}`);
  await db.raw(`DROP TABLE IF EXISTS ${index.name}`);
}

/**
 * Restricts a query on the index's table to rows where any indexed column contains `term` (at least
 * TEXT_INDEX_MIN_LENGTH characters, case-insensitive, taken literally), in id order. The id order is
 * what the index yields for free, so the first page of a term that matches half the table is as cheap
 * as one that matches a single row.
 */
export function whereTextContains<Q extends Knex.QueryBuilder>(db: Queryable, query: Q, index: TextIndex, term: string): Q {
  const { name, table } = index;
  if (dialectOf(db) === 'postgres') {
    return query
      .whereRaw(`(${joinedColumns(index)}) ILIKE ? ESCAPE '\\'`, [`%${escapeLike(term)}%`])
      .orderBy(`${table}.id`) as Q;
  }
  // A quoted FTS5 string is a phrase; with the trigram tokenizer a phrase is a plain substring.
  const phrase = `"${term.replace(/"/g, '""')}"`;
  return query
    .join(name, `${name}.rowid`, `${table}.id`)
    .whereRaw(`${name} MATCH ?`, [phrase])
    .orderBy(`${name}.rowid`) as Q;
}
