import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { preparedQuery } from '../../src/db/prepared.ts';
import { flushWritesBehind, WriteBehind } from '../../src/db/write-behind.ts';
import { openEmptyTestDatabase } from '../helpers/app.ts';

t.test(
  'rows written behind wait for a flush, the delay or a full batch; a refused batch is kept; close writes the rest',
  async (t) => {
    const { db } = await openEmptyTestDatabase(t);
    const errors: unknown[] = [];
    const views = new WriteBehind<{ n: number }>(db, {
      write: (trx, rows) => trx('views').insert(rows),
      maxDelayMs: 50,
      maxRows: 5,
      onError: (error) => errors.push(error),
    });
    const written = async () => (await db('views').orderBy('n').pluck('n')).map(Number);

    // No table yet: the batch is refused, reported and kept, oldest first.
    views.add({ n: 1 });
    await flushWritesBehind(db);
    t.ok(errors.length > 0, 'a refused batch is reported, not thrown at the reader');
    await db.schema.createTable('views', (table) => table.integer('n').notNullable());
    views.add({ n: 2 });
    t.same(await written(), [], 'nothing before a flush');
    await flushWritesBehind(db);
    t.same(await written(), [1, 2], 'a reader flushes first');

    views.add({ n: 3 });
    await sleep(150);
    t.same(await written(), [1, 2, 3], 'written within the delay, with no reader');

    for (let n = 4; n <= 8; n++) views.add({ n });
    await sleep(20);
    t.same(await written(), [1, 2, 3, 4, 5, 6, 7, 8], 'a full batch goes at once');

    views.add({ n: 9 });
    await views.close();
    t.same(await written(), [1, 2, 3, 4, 5, 6, 7, 8, 9], 'a clean stop writes what is left');
  },
);

t.test('a prepared statement takes its parameters by name, on the handle and inside a transaction', async (t) => {
  const { db } = await openEmptyTestDatabase(t);
  await db.schema.createTable('things', (table) => {
    table.integer('id').primary();
    table.string('name').notNullable();
  });
  await db('things').insert([
    { id: 1, name: 'one' },
    { id: 2, name: 'two' },
    { id: 3, name: 'three' },
  ]);
  const named = preparedQuery<{ low: number; name: string }, { id: number }>((db, param) =>
    db('things').where('id', '>=', param('low')).whereNot('name', param('name')).orderBy('id').select('id'),
  );
  t.same(
    (await named(db, { low: 2, name: 'three' })).map((r) => Number(r.id)),
    [2],
  );
  t.same(
    (await named(db, { low: 1, name: 'two' })).map((r) => Number(r.id)),
    [1, 3],
    'the same statement, new values',
  );
  t.same(
    (await db.transaction((trx) => named(trx, { low: 3, name: 'x' }))).map((r) => Number(r.id)),
    [3],
    'inside a transaction',
  );
});
