/**
 * Bulk rows for the benchmarks' own databases (SQLite): generated, not written through the app's code,
 * many rows to a statement and 50,000 to a transaction, so that millions of rows take seconds.
 */
import type { Knex } from 'knex';

// Ids are assigned by the caller rather than read back, so building the data needs no round trips.
export async function insertGenerated(
  db: Knex,
  table: string,
  columns: string[],
  count: number,
  row: (i: number) => Knex.Value[],
) {
  const perStatement = Math.floor(30_000 / columns.length);
  const tuple = `(${columns.map(() => '?').join(',')})`;
  for (let start = 0; start < count; start += 50_000) {
    await db.transaction(async (trx) => {
      for (let i = start; i < Math.min(count, start + 50_000); i += perStatement) {
        const n = Math.min(perStatement, count - i, start + 50_000 - i);
        const bindings: Knex.Value[] = [];
        for (let j = i; j < i + n; j++) bindings.push(...row(j));
        await trx.raw(`insert into ${table} (${columns.join(',')}) values ${Array(n).fill(tuple).join(',')}`, bindings);
      }
    });
  }
}
