import { dialectOf } from './dialect.ts';
import type { Queryable } from './index.ts';
import { preparedQuery } from './prepared.ts';

/**
 * A change counter: a number in `change_counters` that triggers raise whenever a row of the watched
 * tables is updated or deleted (and inserted, when `events` says so), whichever process or statement does
 * it. A process may keep what it read from those tables while the counter stays the same; reading the
 * counter is one indexed row. Triggers differ between SQLite and PostgreSQL, so they are made here, beside
 * dialect.ts.
 */
export type ChangeCounter = Readonly<{
  name: string;
  tables: readonly string[];
  events?: readonly ChangeEvent[];
  /**
   * Only changes to this column count: a row inserted or deleted with a value in it, and an update that
   * changes it. Other updates (a number reserved, not moved to another pool) raise nothing.
   */
  column?: string;
}>;
type ChangeEvent = 'insert' | 'update' | 'delete';

/** Updates and deletes unless told: a kept row is stale only once it changes or goes. */
const eventsOf = (counter: ChangeCounter) => counter.events ?? (['update', 'delete'] as const);

const triggerName = (counter: ChangeCounter, table: string) => `${table}_raises_${counter.name}_counter`;
const functionName = (counter: ChangeCounter) => `raise_${counter.name}_counter`;

/**
 * Raises the counter; its row is made by the first change, so a migrated database stays empty (db:copy
 * copies only into an empty one) and an absent row reads as 0.
 */
const raise = (counter: ChangeCounter) =>
  `INSERT INTO change_counters (name, value) VALUES ('${counter.name}', 1)
   ON CONFLICT (name) DO UPDATE SET value = change_counters.value + 1`;

/** The condition under which an event counts, when the counter watches one column. */
function watchedChange(counter: ChangeCounter, event: ChangeEvent, dialect: 'sqlite' | 'postgres'): string {
  const column = `"${counter.column}"`;
  if (event === 'insert') return `NEW.${column} IS NOT NULL`;
  if (event === 'delete') return `OLD.${column} IS NOT NULL`;
  return dialect === 'postgres' ? `OLD.${column} IS DISTINCT FROM NEW.${column}` : `OLD.${column} IS NOT NEW.${column}`;
}

type Trigger = { name: string; on: string; when?: string };

/**
 * The counter's triggers on one table: on PostgreSQL one for all its events, on SQLite (which takes one
 * event per trigger) one per event. A counter watching a column has one per event on both, each with its
 * condition: PostgreSQL cannot name OLD in an insert's condition nor NEW in a delete's.
 */
function triggersOf(counter: ChangeCounter, table: string, dialect: 'sqlite' | 'postgres'): Trigger[] {
  const name = triggerName(counter, table);
  if (dialect === 'postgres' && !counter.column) {
    const events = eventsOf(counter).map((event) => event.toUpperCase());
    return [{ name, on: `AFTER ${events.join(' OR ')} ON "${table}"` }];
  }
  return eventsOf(counter).map((event) => ({
    name: `${name}_${event}`,
    on: `AFTER ${event.toUpperCase()}${event === 'update' && counter.column ? ` OF "${counter.column}"` : ''} ON "${table}"`,
    when: counter.column ? watchedChange(counter, event, dialect) : undefined,
  }));
}

/** For a migration: the counter's triggers (the `change_counters` table must exist). */
export async function createChangeCounter(db: Queryable, counter: ChangeCounter): Promise<void> {
  const dialect = dialectOf(db);
  if (dialect === 'postgres')
    await db.raw(`CREATE FUNCTION "${functionName(counter)}"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN ${raise(counter)}; RETURN NULL; END $$`);
  for (const table of counter.tables)
    for (const { name, on, when } of triggersOf(counter, table, dialect))
      await db.raw(
        dialect === 'postgres'
          ? // Per row, so an upsert that inserts (a new session) raises nothing unless inserts are watched.
            `CREATE TRIGGER "${name}" ${on} FOR EACH ROW ${when ? `WHEN (${when})` : ''}
              EXECUTE FUNCTION "${functionName(counter)}"()`
          : `CREATE TRIGGER "${name}" ${on} ${when ? `WHEN ${when}` : ''} BEGIN ${raise(counter)}; END`,
      );
}

/** For a migration's `down`: removes what createChangeCounter made. */
export async function dropChangeCounter(db: Queryable, counter: ChangeCounter): Promise<void> {
  const dialect = dialectOf(db);
  for (const table of counter.tables)
    for (const { name } of triggersOf(counter, table, dialect))
      await db.raw(`DROP TRIGGER IF EXISTS "${name}"${dialect === 'postgres' ? ` ON "${table}"` : ''}`);
  if (dialect === 'postgres') await db.raw(`DROP FUNCTION IF EXISTS "${functionName(counter)}"()`);
  await db('change_counters').where({ name: counter.name }).delete();
}

const counterValue = preparedQuery<{ name: string }, { value: number }>((db, param) =>
  db('change_counters').where('name', param('name')).select('value'),
);

let moments = 0;
/**
 * The next point in this process's sequence of events (a request's arrival, a counter read's start): a
 * read that started after a request arrived saw every change committed before that request.
 */
export const nextMoment = () => ++moments;

/** Per database handle and counter, the latest read: its value and the moment it started. */
const latestReads = new WeakMap<Queryable, Map<string, { value: number; startedAt: number }>>();

/**
 * The counter's value now; or, given `seenSince` (a request's arrival), the value of a read that started
 * after it if this process made one: a signed-in request's session and its user share one read.
 */
export async function readChangeCounter(
  db: Queryable,
  counter: ChangeCounter,
  seenSince = Number.POSITIVE_INFINITY,
): Promise<number> {
  const reads = latestReads.get(db) ?? new Map<string, { value: number; startedAt: number }>();
  const latest = reads.get(counter.name);
  if (latest && latest.startedAt > seenSince) return latest.value;
  const startedAt = nextMoment();
  const [row] = await counterValue(db, { name: counter.name });
  const value = Number(row?.value ?? 0);
  // Inside a transaction the counter may count the transaction's own uncommitted changes: not shared.
  if (!db.isTransaction && startedAt > (reads.get(counter.name)?.startedAt ?? 0)) {
    reads.set(counter.name, { value, startedAt });
    latestReads.set(db, reads);
  }
  return value;
}

/**
 * Values read from a counter's tables, kept in this process for at most `ttlMs` and only while the
 * counter has not moved since they were read: each `get` costs one read of the counter instead of the
 * value's own queries, and any change anywhere is seen on the very next `get`. Values are shared
between callers: keep them immutable.
 */
export class KeptWhileUnchanged<Value> {
  private readonly kept = new Map<string, { value: Value; counter: number; readAt: number }>();

  constructor(
    private readonly db: Queryable,
    private readonly counter: ChangeCounter,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** `seenSince`: as readChangeCounter's, a read of the counter that started after it will do. */
  async get(key: string, load: () => Promise<Value>, seenSince?: number): Promise<Value> {
    // Read before the value: a change after this read raises the counter past what is stored with it.
    const counter = await readChangeCounter(this.db, this.counter, seenSince);
    const now = Date.now();
    const entry = this.kept.get(key);
    if (entry && entry.counter === counter && now - entry.readAt < this.ttlMs) return entry.value;
    const value = await load();
    this.kept.delete(key);
    // Nothing found is not kept: a row inserted later (a new session) raises no counter.
    if (value === undefined || value === null) return value;
    if (this.kept.size >= this.maxEntries) this.kept.delete(this.kept.keys().next().value as string);
    this.kept.set(key, { value, counter, readAt: now });
    return value;
  }

  forget(key: string): void {
    this.kept.delete(key);
  }
}

/** A module's KeptWhileUnchanged for each database handle it is given (the app's, each test's). */
export function keptPerHandle<Value>(
  counter: ChangeCounter,
  ttlMs: number,
): (db: Queryable) => KeptWhileUnchanged<Value> {
  const byHandle = new WeakMap<Queryable, KeptWhileUnchanged<Value>>();
  return (db) => {
    let kept = byHandle.get(db);
    if (!kept) {
      kept = new KeptWhileUnchanged<Value>(db, counter, ttlMs);
      byHandle.set(db, kept);
    }
    return kept;
  };
}
