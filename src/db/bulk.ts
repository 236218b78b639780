import type { Database, Statement } from 'better-sqlite3';
import { dialectOf } from './dialect.ts';
import { inTransaction, type Queryable, type Tx } from './index.ts';
import { keptStatement } from './sqlite-client.ts';

type Row = Readonly<Record<string, unknown>>;

/** Rows per multi-row INSERT on PostgreSQL: far inside its 65,535 bound parameters for any of our tables. */
const ROWS_PER_STATEMENT = 500;
/**
 * Bound values per SQLite statement: a few dozen rows each. Fewer calls into the driver cut the Autopay
 * cycle's 170,000 audit rows by a quarter of their CPU; more rows per statement gained nothing further.
 */
const SQLITE_VALUES_PER_STATEMENT = 500;

/**
 * Inserts many rows of one shape (the first row's columns) in the caller's transaction, for the large
 * batches of the Autopay cycle and of batched audit events. Knex writes a multi-row insert for SQLite as
 * SELECT … UNION ALL SELECT …, which SQLite plans and runs about 2.5× slower than prepared statements
 * of `VALUES (…), (…)` on the same connection (better-sqlite3 keeps them compiled), each for a slice of
 * rows. PostgreSQL gets Knex's multi-row INSERT, one round trip per
 * 500 rows.
 */
export async function insertRows(db: Queryable, table: string, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  // All or none, also when the caller has no transaction of its own.
  await inTransaction(db, async (trx) => {
    if (dialectOf(trx) === 'postgres') {
      for (let from = 0; from < rows.length; from += ROWS_PER_STATEMENT)
        await trx(table).insert(rows.slice(from, from + ROWS_PER_STATEMENT));
      return;
    }
    const connection = await transactionConnection(trx);
    for (const { statement, values } of sqliteSlices(connection, table, columns, rows)) statement.run(values);
  });
}

/**
 * insertRows for rows with a unique key (an idempotency key): a row whose key is already taken is
 * skipped, and the rows this call inserted come back whole, so a caller racing another process acts
 * only on its own.
 */
export async function insertNewRows<Row>(
  db: Queryable,
  table: string,
  uniqueColumn: string,
  rows: readonly Readonly<Record<string, unknown>>[],
): Promise<Row[]> {
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0]);
  return inTransaction(db, async (trx) => {
    const inserted: Row[] = [];
    if (dialectOf(trx) === 'postgres') {
      for (let from = 0; from < rows.length; from += ROWS_PER_STATEMENT)
        inserted.push(
          ...(await trx(table)
            .insert(rows.slice(from, from + ROWS_PER_STATEMENT))
            .onConflict(uniqueColumn)
            .ignore()
            .returning('*')),
        );
      return inserted;
    }
    const connection = await transactionConnection(trx);
    const tail = ` on conflict ("${uniqueColumn}") do nothing returning *`;
    for (const { statement, values } of sqliteSlices(connection, table, columns, rows, tail))
      inserted.push(...(statement.all(values) as Row[]));
    return inserted;
  });
}

/**
 * insertNewRows when only how many rows went in matters (a million imported call records): nothing is read
 * back, so a taken key costs no more than a row inserted.
 */
export async function insertRowsUnlessTaken(
  db: Queryable,
  table: string,
  uniqueColumn: string,
  rows: readonly Row[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = Object.keys(rows[0]);
  return inTransaction(db, async (trx) => {
    let inserted = 0;
    if (dialectOf(trx) === 'postgres') {
      for (let from = 0; from < rows.length; from += ROWS_PER_STATEMENT)
        inserted += (
          await trx(table)
            .insert(rows.slice(from, from + ROWS_PER_STATEMENT))
            .onConflict(uniqueColumn)
            .ignore()
            .returning(uniqueColumn)
        ).length;
      return inserted;
    }
    const connection = await transactionConnection(trx);
    const tail = ` on conflict ("${uniqueColumn}") do nothing`;
    for (const { statement, values } of sqliteSlices(connection, table, columns, rows, tail))
      inserted += statement.run(values).changes;
    return inserted;
  });
}

/**
 * The rows as prepared INSERT statements with their values: full slices of rows, then the rest in slices of
 * halving size (32, 16 … 1 rows), so a table has a handful of statement shapes whatever the batch sizes.
 */
function* sqliteSlices(
  connection: Database,
  table: string,
  columns: readonly string[],
  rows: readonly Row[],
  tail = '',
): Generator<{ statement: Statement; values: unknown[] }> {
  let size = Math.max(1, Math.floor(SQLITE_VALUES_PER_STATEMENT / columns.length));
  let from = 0;
  while (from < rows.length) {
    if (rows.length - from < size) {
      size = 2 ** Math.floor(Math.log2(rows.length - from));
      continue;
    }
    const statement = preparedInsert(connection, table, columns, size, tail);
    for (; from + size <= rows.length; from += size)
      yield { statement, values: sqliteValues(columns, rows, from, size) };
  }
}

function preparedInsert(
  connection: Database,
  table: string,
  columns: readonly string[],
  rowCount: number,
  tail: string,
) {
  const list = columns.map((c) => `"${c}"`).join(', ');
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  return keptStatement(
    connection,
    `insert into "${table}" (${list}) values ${Array.from({ length: rowCount }, () => tuple).join(', ')}${tail}`,
  );
}

/** The values of `count` rows from `from`, row after row, in one flat array (no array per row). */
function sqliteValues(columns: readonly string[], rows: readonly Row[], from: number, count: number): unknown[] {
  const values = new Array(count * columns.length);
  let at = 0;
  for (let r = from; r < from + count; r++) for (const column of columns) values[at++] = sqliteValue(rows[r][column]);
  return values;
}

/** What better-sqlite3 binds for a value, as Knex would: booleans as 1/0, absent as NULL. */
function sqliteValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/** The connection a Knex transaction runs on (held by it until it ends, so nothing to release). */
function transactionConnection(trx: Tx): Promise<Database> {
  return (trx.client as { acquireConnection(): Promise<Database> }).acquireConnection();
}
