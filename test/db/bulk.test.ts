import Database from 'better-sqlite3';
import t from 'tap';
import { insertNewRows, insertRows } from '../../src/db/bulk.ts';
import type { Db } from '../../src/db/index.ts';
import { openEmptyTestDatabase, testDatabaseUrl } from '../helpers/app.ts';

async function withTable(t: Tap) {
  const { db, config } = await openEmptyTestDatabase(t);
  await db.schema.createTable('things', (table) => {
    table.increments('id');
    table.string('key').notNullable().unique();
    table.integer('cents').notNullable();
    table.boolean('flag').notNullable();
    table.text('note');
  });
  return { db, config };
}
type Tap = Parameters<typeof openEmptyTestDatabase>[0];

const thing = (i: number) => ({ key: `k${i}`, cents: i * 100, flag: i % 2 === 0, note: i % 3 ? `note ${i}` : null });

async function things(db: Db) {
  return (await db('things').orderBy('id').select('key', 'cents', 'flag', 'note')).map((r) => ({
    ...r,
    flag: Boolean(r.flag),
  }));
}

t.test('insertRows writes every row, more than one statement holds, booleans and nulls included', async (t) => {
  const { db } = await withTable(t);
  const rows = Array.from({ length: 1_234 }, (_, i) => thing(i));
  await insertRows(db, 'things', rows);
  t.same(await things(db), rows);
  await insertRows(db, 'things', []);
  t.equal((await things(db)).length, 1_234, 'no rows, nothing written');
});

t.test('insertRows in a transaction that fails leaves nothing behind, and a taken key fails it all', async (t) => {
  const { db } = await withTable(t);
  await t.rejects(
    db.transaction(async (trx) => {
      await insertRows(trx, 'things', [thing(1), thing(2)]);
      throw new Error('stop');
    }),
  );
  t.same(await things(db), []);
  await insertRows(db, 'things', [thing(1)]);
  await t.rejects(insertRows(db, 'things', [thing(2), thing(1)]), 'the second k1 is refused');
  t.same(await things(db), [thing(1)], 'and k2 with it');
});

t.test('insertNewRows skips rows whose key is taken and answers the ones it inserted, whole', async (t) => {
  const { db } = await withTable(t);
  await insertRows(db, 'things', [thing(2), thing(4)]);
  const made = await insertNewRows<{ id: number; key: string; cents: number }>(
    db,
    'things',
    'key',
    [1, 2, 3, 4, 5].map(thing),
  );
  t.same(
    made.map((r) => [r.key, r.cents]),
    [
      ['k1', 100],
      ['k3', 300],
      ['k5', 500],
    ],
  );
  t.ok(
    made.every((r) => r.id > 0),
    'with their ids',
  );
  t.equal((await things(db)).length, 5);
});

t.test(
  'SQLite: a write that finds the database locked waits without holding the event loop',
  { skip: testDatabaseUrl && 'PostgreSQL locks rows, not the database' },
  async (t) => {
    const { db, config } = await withTable(t);
    if (config.database.kind !== 'sqlite') throw new Error('expected SQLite');
    const other = new Database(config.database.file);
    t.teardown(() => other.close());
    other.exec('BEGIN IMMEDIATE');
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const write = db('things').insert(thing(1));
    await new Promise((resolve) => setTimeout(resolve, 150));
    // Blocked in SQLite's busy handler, the loop would run no timer at all until the lock was free.
    t.ok(ticks >= 3, `timers ran while the write waited (${ticks} ticks)`);
    other.exec('COMMIT');
    await write;
    clearInterval(ticker);
    t.same(await things(db), [thing(1)], 'the write went in once the lock was free');
  },
);
