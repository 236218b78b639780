import { createHash } from 'node:crypto';
import type { Db, Queryable } from './index.ts';
import { migrateToLatest } from './migrate.ts';

/**
 * Moves a SQLite installation's data into an empty PostgreSQL database (`npm run db:copy`). The tables
 * are found in the migrated PostgreSQL schema, so tables added by new migrations are copied without
 * changes here; tables that exist only in SQLite (its full-text indexes) are left behind.
 */

type Column = { name: string; type: string };
type Table = { name: string; columns: Column[]; primaryKey: string[]; serial: string[] };
type ForeignKey = { table: string; column: string; references: string };
export type CopyStep = { table: string; deferred: string[] };
export type TableReport = { table: string; rows: number; checksum: string };

const IGNORED = /^knex_/;
const MAX_BINDINGS = 30_000;

/**
 * Tables in an order that satisfies their foreign keys. A reference to a table not loaded yet (the
 * table itself, or a cycle) is deferred: inserted as NULL and filled in once every table is loaded.
 */
export function copyOrder(tables: string[], foreignKeys: ForeignKey[]): CopyStep[] {
  const remaining = [...tables].sort();
  const loaded = new Set<string>();
  const steps: CopyStep[] = [];
  while (remaining.length) {
    const ready = remaining.find((table) =>
      foreignKeys.every((fk) => fk.table !== table || fk.references === table || loaded.has(fk.references)),
    );
    const table = ready ?? remaining[0];
    const deferred = foreignKeys
      .filter((fk) => fk.table === table && !loaded.has(fk.references))
      .map((fk) => fk.column);
    steps.push({ table, deferred: [...new Set(deferred)].sort() });
    loaded.add(table);
    remaining.splice(remaining.indexOf(table), 1);
  }
  return steps;
}

async function postgresTables(target: Db): Promise<{ tables: Table[]; foreignKeys: ForeignKey[] }> {
  const columns: { table_name: string; column_name: string; data_type: string; column_default: string | null }[] =
    await target
      .select('table_name', 'column_name', 'data_type', 'column_default')
      .from('information_schema.columns')
      .whereRaw('table_schema = current_schema()')
      .orderBy(['table_name', 'ordinal_position']);
  const keys: { table_name: string; column_name: string; constraint_type: string; references: string | null }[] = (
    await target.raw(`
      SELECT tc.table_name, kcu.column_name, tc.constraint_type, ccu.table_name AS references
      FROM information_schema.table_constraints tc
      JOIN information_schema.key_column_usage kcu
        ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
      LEFT JOIN information_schema.constraint_column_usage ccu
        ON tc.constraint_type = 'FOREIGN KEY' AND ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
      WHERE tc.table_schema = current_schema() AND tc.constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')
      ORDER BY tc.table_name, kcu.ordinal_position`)
  ).rows;
  const baseTables: string[] = await target
    .from('information_schema.tables')
    .whereRaw("table_schema = current_schema() AND table_type = 'BASE TABLE'")
    .pluck('table_name');
  const tables = baseTables
    .filter((name) => !IGNORED.test(name))
    .sort()
    .map((name) => {
      const own = columns.filter((c) => c.table_name === name);
      return {
        name,
        columns: own.map((c) => ({ name: c.column_name, type: c.data_type })),
        primaryKey: keys
          .filter((k) => k.table_name === name && k.constraint_type === 'PRIMARY KEY')
          .map((k) => k.column_name),
        serial: own.filter((c) => c.column_default?.startsWith('nextval(')).map((c) => c.column_name),
      };
    });
  const foreignKeys = keys
    .filter((k) => k.constraint_type === 'FOREIGN KEY' && k.references)
    .map((k) => ({ table: k.table_name, column: k.column_name, references: k.references! }));
  return { tables, foreignKeys };
}

/** One value as both databases should agree on it: SQLite keeps booleans as 1/0 and JSON as text. */
function canonical(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'boolean') return value ? 1 : 0;
  if (/^(smallint|integer|bigint|numeric|real|double precision)$/.test(type)) return Number(value);
  if (type === 'json' || type === 'jsonb') return sortedJson(typeof value === 'string' ? JSON.parse(value) : value);
  if (Buffer.isBuffer(value)) return value.toString('hex');
  return String(value);
}

function sortedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortedJson((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * A checksum of a table's rows that does not depend on their order (the databases sort text
 * differently): the sum of one hash per row.
 */
class TableChecksum {
  private sum = 0n;
  rows = 0;
  constructor(private readonly columns: Column[]) {}

  add(row: Record<string, unknown>) {
    const values = this.columns.map((c) => canonical(row[c.name], c.type));
    this.sum = (this.sum + createHash('sha256').update(JSON.stringify(values)).digest().readBigUInt64BE()) % 2n ** 64n;
    this.rows++;
  }

  get value(): string {
    return this.sum.toString(16).padStart(16, '0');
  }
}

/** Reads a whole table a chunk at a time (keyset on its key when it has a single-column one). */
async function* chunksOf(db: Queryable, table: Table, size: number): AsyncGenerator<Record<string, unknown>[]> {
  const columns = table.columns.map((c) => c.name);
  if (table.primaryKey.length !== 1) {
    const order = table.primaryKey.length ? table.primaryKey : columns;
    for (let offset = 0; ; offset += size) {
      const rows = await db(table.name).select(columns).orderBy(order).limit(size).offset(offset);
      if (rows.length) yield rows;
      if (rows.length < size) return;
    }
  }
  const [key] = table.primaryKey;
  let last: unknown;
  for (;;) {
    const query = db(table.name).select(columns).orderBy(key).limit(size);
    const rows = await (last === undefined ? query : query.where(key, '>', last as string));
    if (rows.length) yield rows;
    if (rows.length < size) return;
    last = rows[rows.length - 1][key];
  }
}

async function checksumOf(db: Queryable, table: Table): Promise<TableChecksum> {
  const checksum = new TableChecksum(table.columns);
  for await (const rows of chunksOf(db, table, 5000)) for (const row of rows) checksum.add(row);
  return checksum;
}

export class CopyError extends Error {}

/** The table the copy's own inserts change through triggers: copied after every other table. */
const WRITTEN_BY_TRIGGERS = 'change_counters';

/**
 * Copies every table from `source` (SQLite) to `target` (PostgreSQL) in one transaction, resets the
 * id sequences, then reads the copy back and compares row counts and checksums table by table before
 * committing, so a copy that does not match leaves the target empty. Both databases are first
 * migrated to the latest schema; the target must hold no data.
 */
export async function copyDatabase(
  source: Db,
  target: Db,
  log: (line: string) => void = () => {},
): Promise<TableReport[]> {
  await migrateToLatest(source);
  await migrateToLatest(target);
  const { tables, foreignKeys } = await postgresTables(target);
  const sourceTables = new Set<string>(await source('sqlite_master').where({ type: 'table' }).pluck('name'));
  for (const table of tables) {
    if (!sourceTables.has(table.name)) throw new CopyError(`The SQLite database has no table ${table.name}.`);
    const sourceColumns = new Set(
      (await source.raw(`PRAGMA table_info(${JSON.stringify(table.name)})`)).map((c: { name: string }) => c.name),
    );
    const missing = table.columns.filter((c) => !sourceColumns.has(c.name)).map((c) => c.name);
    if (missing.length) throw new CopyError(`The SQLite table ${table.name} lacks ${missing.join(', ')}.`);
    if (await target(table.name).first())
      throw new CopyError(`The PostgreSQL database already has data (in ${table.name}); copy into an empty one.`);
  }
  const byName = new Map(tables.map((t) => [t.name, t]));
  const steps = copyOrder([...byName.keys()], foreignKeys);

  const sourceChecksums = new Map<string, TableChecksum>();
  const reports: TableReport[] = [];
  await target.transaction(async (trx) => {
    // Last, over what the other tables' triggers wrote meanwhile (change counters, src/db/change-counter.ts).
    const orderedSteps = [
      ...steps.filter((s) => s.table !== WRITTEN_BY_TRIGGERS),
      ...steps.filter((s) => s.table === WRITTEN_BY_TRIGGERS),
    ];
    for (const { table: name, deferred } of orderedSteps) {
      const table = byName.get(name)!;
      if (name === WRITTEN_BY_TRIGGERS) await trx(name).delete();
      if (deferred.length && !table.primaryKey.length)
        throw new CopyError(`${name} refers to a table loaded after it and has no primary key.`);
      const checksum = new TableChecksum(table.columns);
      const chunkSize = Math.max(1, Math.min(1000, Math.floor(MAX_BINDINGS / table.columns.length)));
      for await (const rows of chunksOf(source, table, chunkSize)) {
        for (const row of rows) checksum.add(row);
        await trx(name).insert(rows.map((row) => ({ ...row, ...Object.fromEntries(deferred.map((c) => [c, null])) })));
      }
      sourceChecksums.set(name, checksum);
      log(`${name}: ${checksum.rows} rows copied`);
    }
    for (const { table: name, deferred } of steps.filter((s) => s.deferred.length)) {
      const table = byName.get(name)!;
      for await (const rows of chunksOf(source, table, 1000)) {
        for (const row of rows) {
          const key = Object.fromEntries(table.primaryKey.map((c) => [c, row[c]]));
          await trx(name)
            .where(key)
            .update(Object.fromEntries(deferred.map((c) => [c, row[c]])));
        }
      }
    }
    for (const table of tables) {
      for (const column of table.serial) {
        await trx.raw(`SELECT setval(pg_get_serial_sequence(?, ?), (SELECT COALESCE(MAX(??), 0) + 1 FROM ??), false)`, [
          table.name,
          column,
          column,
          table.name,
        ]);
      }
    }
    for (const table of tables) {
      const expected = sourceChecksums.get(table.name)!;
      const actual = await checksumOf(trx, table);
      if (actual.rows !== expected.rows || actual.value !== expected.value) {
        throw new CopyError(
          `${table.name} differs after the copy: SQLite ${expected.rows} rows (${expected.value}), PostgreSQL ${actual.rows} rows (${actual.value}).`,
        );
      }
      reports.push({ table: table.name, rows: actual.rows, checksum: actual.value });
    }
  });

  const leftBehind = [...sourceTables].filter(
    (name) => !byName.has(name) && !IGNORED.test(name) && !name.startsWith('sqlite_'),
  );
  if (leftBehind.length) log(`Not copied (SQLite only): ${leftBehind.sort().join(', ')}`);
  return reports;
}
