import type { Knex } from 'knex';

/**
 * Inserts `count` generated rows in multi-row statements, committing every `rowsPerTransaction`, so a
 * million rows take seconds and memory stays flat.
 */
export async function insertGenerated<Row extends Record<string, unknown>>(
  db: Knex,
  table: string,
  count: number,
  makeRow: (index: number) => Row,
  { rowsPerStatement = 500, rowsPerTransaction = 50_000 } = {},
): Promise<void> {
  for (let start = 0; start < count; start += rowsPerTransaction) {
    const end = Math.min(count, start + rowsPerTransaction);
    await db.transaction(async (trx) => {
      for (let i = start; i < end; i += rowsPerStatement) {
        const rows: Row[] = [];
        for (let j = i; j < Math.min(end, i + rowsPerStatement); j++) rows.push(makeRow(j));
        await trx(table).insert(rows);
      }
    });
  }
}
