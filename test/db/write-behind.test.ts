import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { dialectOf, transactionWithoutFlush } from '../../src/db/dialect.ts';
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
      maxDelayMs: 1_000,
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
    await sleep(1_000);
    for (let waited = 0; waited < 1_000 && (await written()).length < 3; waited += 20) await sleep(20);
    t.same(await written(), [1, 2, 3], 'written within the delay, with no reader');

    for (let n = 4; n <= 8; n++) views.add({ n });
    // Well before the delay (1 s), however busy the database server is.
    for (let waited = 0; waited < 500 && (await written()).length < 8; waited += 20) await sleep(20);
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

t.test('a transaction without flush commits, and the next one waits for the disk again', async (t) => {
  const { db } = await openEmptyTestDatabase(t);
  await db.schema.createTable('views', (table) => table.integer('n').notNullable());
  const durability = async () =>
    dialectOf(db) === 'postgres'
      ? (await db.raw('show synchronous_commit')).rows[0].synchronous_commit
      : Number((await db.raw('pragma synchronous'))[0].synchronous);
  const before = await durability();
  const inside = await transactionWithoutFlush(db, async (trx) => {
    await trx('views').insert({ n: 1 });
    return dialectOf(db) === 'postgres' ? (await trx.raw('show synchronous_commit')).rows[0].synchronous_commit : null;
  });
  if (inside !== null) t.equal(inside, 'off', 'PostgreSQL: synchronous_commit off inside it');
  t.same(await db('views').pluck('n'), [1], 'committed');
  t.equal(await durability(), before, 'the connection waits for the disk again afterwards (SQLite: FULL = 2)');
  if (dialectOf(db) === 'sqlite') t.equal(before, 2, 'SQLite connections commit with synchronous = FULL');
  await t.rejects(
    transactionWithoutFlush(db, async (trx) => {
      await trx('views').insert({ n: 2 });
      throw new Error('refused');
    }),
  );
  t.same(await db('views').pluck('n'), [1], 'a failed one writes nothing');
  t.equal(await durability(), before, 'and leaves the connection as it was');
});
