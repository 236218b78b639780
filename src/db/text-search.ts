import type { Knex } from 'knex';
import { dialectOf, escapeLike, likeInsensitive } from './dialect.ts';
import type { Queryable } from './index.ts';

// Substring search over text columns (D1, E1): FTS5 trigram indexes on SQLite, pg_trgm on PostgreSQL.
// Beside dialect.ts, as the one place that knows how each database indexes text.

/**
 * A substring index over text columns of one table, for `matchesText` and `whereTextContains`.
 * SQLite: an FTS5 trigram index over the columns, kept current by triggers. PostgreSQL: a pg_trgm GIN
 * index over the column, or over several columns joined with spaces (the extension goes into
 * `public`, shared by every schema of the database).
 */
export type TextIndex = Readonly<{
  name: string;
  table: string;
  columns: readonly string[];
  idColumn?: string;
  /** Accents fold away in the index and in the term ("cafe" finds "Café"). */
  foldAccents?: boolean;
}>;

/** PostgreSQL: unaccent() is only STABLE, and an index needs an IMMUTABLE function, so it is wrapped. */
const FOLD = 'public.ledgerdesk_unaccent';

/** Shortest term a trigram index can answer; shorter terms need a plan of their own (a prefix index). */
export const TEXT_INDEX_MIN_LENGTH = 3;

const searchIndexName = (table: string, column: string) => `${table}_${column}_search`;
const singleColumnIndex = (table: string, column: string, idColumn = 'id'): TextIndex => ({
  name: searchIndexName(table, column),
  table,
  columns: [column],
  idColumn,
});

/** PostgreSQL: the indexed text, the same expression in the index and in its queries. */
function indexedText({ table, columns, foldAccents }: TextIndex): string {
  const text =
    columns.length === 1
      ? `"${table}"."${columns[0]}"`
      : columns.map((c) => `coalesce("${table}"."${c}", '')`).join(` || ' ' || `);
  return foldAccents ? `${FOLD}(${text})` : text;
}

/** PostgreSQL: the folding function, made once per database (every schema shares it, like pg_trgm). */
async function createFoldFunction(db: Queryable): Promise<void> {
  await db.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [FOLD]);
  await db.raw('CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public');
  await db.raw(`CREATE OR REPLACE FUNCTION ${FOLD}(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$`);
}

/** For a migration: creates the text index and fills it from the rows already there. */
export async function createTextIndex(db: Queryable, index: TextIndex): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await db.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public');
    if (index.foldAccents) await createFoldFunction(db);
    await db.raw(
      `CREATE INDEX "${index.name}" ON "${index.table}" USING gin ((${indexedText(index)}) public.gin_trgm_ops)`,
    );
    return;
  }
  const name = `"${index.name}"`;
  const id = `"${index.idColumn ?? 'id'}"`;
  const list = index.columns.map((c) => `"${c}"`).join(', ');
  const values = (row: 'new' | 'old') => index.columns.map((c) => `${row}."${c}"`).join(', ');
  // External content: the index stores only trigrams and reads the text from the table itself.
  await db.raw(
    `CREATE VIRTUAL TABLE ${name} USING fts5(${list}, content="${index.table}", content_rowid=${id}, tokenize='trigram${index.foldAccents ? ' remove_diacritics 1' : ''}')`,
  );
  await db.raw(`CREATE TRIGGER "${index.name}_insert" AFTER INSERT ON "${index.table}" BEGIN
    INSERT INTO ${name}(rowid, ${list}) VALUES (new.${id}, ${values('new')}); END`);
  await db.raw(`CREATE TRIGGER "${index.name}_delete" AFTER DELETE ON "${index.table}" BEGIN
    INSERT INTO ${name}(${name}, rowid, ${list}) VALUES ('delete', old.${id}, ${values('old')}); END`);
  // Only when an indexed column changes, so a status or version update costs no index work.
  await db.raw(`CREATE TRIGGER "${index.name}_update" AFTER UPDATE OF ${list} ON "${index.table}" BEGIN
    INSERT INTO ${name}(${name}, rowid, ${list}) VALUES ('delete', old.${id}, ${values('old')});
    INSERT INTO ${name}(rowid, ${list}) VALUES (new.${id}, ${values('new')}); END`);
  await db.raw(`INSERT INTO ${name}(${name}) VALUES ('rebuild')`);
}

/** For a migration's `down`: removes what createTextIndex made. */
export async function dropTextIndex(db: Queryable, index: TextIndex): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await db.raw(`DROP INDEX IF EXISTS "${index.name}"`);
    return;
  }
  for (const trigger of ['insert', 'delete', 'update'])
    await db.raw(`DROP TRIGGER IF EXISTS "${index.name}_${trigger}"`);
  await db.raw(`DROP TABLE IF EXISTS "${index.name}"`);
}

/** For a migration: indexes one text column for `matchesText`, so a substring search stays fast on millions of rows. */
export async function createTextSearch(db: Knex, table: string, column: string, idColumn = 'id'): Promise<void> {
  await createTextIndex(db, singleColumnIndex(table, column, idColumn));
}

/** For a migration's `down`: removes what createTextSearch made. */
export async function dropTextSearch(db: Knex, table: string, column: string): Promise<void> {
  await dropTextIndex(db, singleColumnIndex(table, column));
}

/** A quoted FTS5 string is a phrase; with the trigram tokenizer a phrase is a plain substring. */
function ftsPhrase(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

/**
 * Rows whose column contains the term, case-insensitively and literally, using the createTextSearch
 * index. Terms under three characters cannot use a trigram index and scan the table: give short terms
 * a prefix search on an ordinary index instead (likeInsensitive 'prefix').
 */
export function matchesText(db: Queryable, table: string, column: string, term: string, idColumn = 'id'): Knex.Raw {
  if (dialectOf(db) === 'postgres' || [...term].length < TEXT_INDEX_MIN_LENGTH)
    return likeInsensitive(db, `${table}.${column}`, term, 'contains');
  const index = searchIndexName(table, column);
  return db.raw(`??.?? IN (SELECT rowid FROM ?? WHERE ?? MATCH ?)`, [table, idColumn, index, index, ftsPhrase(term)]);
}

/**
 * Restricts a query on the index's table to rows where any indexed column contains `term`, or any of
 * several terms (each at least TEXT_INDEX_MIN_LENGTH characters, case-insensitive, literal), in id
 * order. On SQLite that is the order the index yields without sorting, so the first page of a term
 * matching half the table is as cheap as one matching a single row (matchesText's IN list would
 * collect every match first).
 */
export function whereTextContains<Q extends Knex.QueryBuilder>(
  db: Queryable,
  query: Q,
  index: TextIndex,
  term: string | readonly string[],
): Q {
  const terms = typeof term === 'string' ? [term] : term;
  const id = `${index.table}.${index.idColumn ?? 'id'}`;
  if (dialectOf(db) === 'postgres') {
    const pattern = index.foldAccents ? `${FOLD}(?)` : '?';
    const test = terms.map(() => `(${indexedText(index)}) ILIKE ${pattern} ESCAPE '\\'`).join(' OR ');
    return query
      .whereRaw(
        `(${test})`,
        terms.map((t) => `%${escapeLike(t)}%`),
      )
      .orderBy(id) as Q;
  }
  return query
    .join(index.name, `${index.name}.rowid`, id)
    .whereRaw(`"${index.name}" MATCH ?`, [terms.map(ftsPhrase).join(' OR ')])
    .orderBy(`${index.name}.rowid`) as Q;
}
