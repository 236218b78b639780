import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database, Statement } from 'better-sqlite3';
import { whenTaskAnswers } from '../lib/off-loop.ts';

const require = createRequire(import.meta.url);
// Knex has no public hook for the BEGIN statement; these are its own SQLite classes, extended.
const BetterSqliteClient = require('knex/lib/dialects/better-sqlite3/index.js');
const SqliteTransaction = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction.js');
const SqliteQueryCompiler = require('knex/lib/dialects/sqlite3/query/sqlite-querycompiler.js');

/**
 * A transaction that takes SQLite's write lock at BEGIN. A plain BEGIN starts as a reader, and in WAL
 * mode a reader that later writes fails at once with SQLITE_BUSY if another process wrote in between.
 */
class ImmediateTransaction extends SqliteTransaction {
  begin(conn: unknown) {
    return this.query(conn, 'BEGIN IMMEDIATE;');
  }
}

/**
 * LIMIT and OFFSET written into the SQL as numbers, not bound as parameters. SQLite plans a statement again
 * each time a parameter its plan depends on is bound, and LIMIT is one: `select * from customers where id = ?
 * limit ?` (every Knex `.first()`) cost 15 µs against 6 µs with `limit 1`, a new plan on every run. Knex has
 * made both integers already (QueryBuilder.limit/offset parse them), so the SQL text stays safe; a page size
 * is a constant, so the kept statements stay few. `{ skipBinding: false }` on `.limit()` binds it after all.
 */
class LiteralLimitQueryCompiler extends SqliteQueryCompiler {
  _getValueOrParameterFromAttribute(attribute: string, rawValue?: unknown) {
    const { single } = this as unknown as {
      single: Record<string, unknown> & { skipBinding?: Record<string, unknown> };
    };
    const value = single[attribute];
    // `.limit(n, { skipBinding: false })` keeps a bound LIMIT: a statement built once and run with many.
    const bound = single.skipBinding?.[attribute] === false;
    if ((attribute === 'limit' || attribute === 'offset') && !bound && Number.isSafeInteger(value))
      return String(value);
    return super._getValueOrParameterFromAttribute(attribute, rawValue);
  }
}

/** How long a statement waits for another connection's write lock before it fails. */
const LOCK_WAIT_MS = 5_000;
/** Compiled statements kept per connection: the app's queries are a few hundred shapes. */
const STATEMENTS_KEPT = 500;

/** SQLite's default upper bound for a memory map (SQLITE_MAX_MMAP_SIZE), about 2 GB. */
const PAGE_SERVER_MMAP_BYTES = 0x7fff0000;
const PAGE_SERVER_CACHE_KIB = 64 * 1024;

type Query = {
  sql: string;
  bindings?: unknown[];
  options?: { rowMode?: 'array' };
  response?: unknown;
  context?: unknown;
};

// Per connection, not per client: Knex runs a transaction's queries through a copy of the client.
const statements = new WeakMap<Database, Map<string, Statement>>();

/** The statement for `sql` on this connection, compiled on first use and kept (the least used dropped). */
export function keptStatement(connection: Database, sql: string): Statement {
  const kept = statements.get(connection) ?? new Map<string, Statement>();
  statements.set(connection, kept);
  let statement = kept.get(sql);
  if (statement) {
    // Most recently used last, so the first is the one to drop.
    kept.delete(sql);
  } else {
    statement = connection.prepare(sql);
    if (kept.size >= STATEMENTS_KEPT) kept.delete(kept.keys().next().value as string);
  }
  kept.set(sql, statement);
  return statement;
}

/**
 * Reads outside a transaction share one read transaction until the next request arrives or the event loop
 * turns (setImmediate). On its own each statement starts and ends a read transaction of its own (the WAL's
 * read lock taken and released, the file checked: system calls that cost more than an indexed read); a
 * page's ten reads now pay for it about once. A new request ends the batch (readFromNow, called as it
 * arrives), so every read a request makes sees all that was committed before it arrived. The first read
 * after an arrival runs alone and the batch begins with the second: a request that reads once (a signed-in
 * request's change counter) would pay for a BEGIN and a COMMIT besides. A write, a transaction or a pragma
 * ends the batch first, and so does a worker thread's answer (what it committed is then seen).
 */
const readBatches = new Set<Database>();
let nextReadAlone = true;
whenTaskAnswers(() => endReadBatches());

function beforeRead(connection: Database): void {
  if (connection.inTransaction) return;
  if (nextReadAlone) {
    nextReadAlone = false;
    return;
  }
  keptStatement(connection, 'BEGIN DEFERRED').run();
  readBatches.add(connection);
  setImmediate(endReadBatch, connection);
}

function endReadBatch(connection: Database): void {
  if (!readBatches.delete(connection)) return;
  if (connection.open && connection.inTransaction) keptStatement(connection, 'COMMIT').run();
}

/** Ends every open read batch: the next read sees everything committed until now. */
export function endReadBatches(): void {
  for (const connection of readBatches) endReadBatch(connection);
}

/** Call as a request arrives: its reads then see every commit made before it. */
export function readFromNow(): void {
  endReadBatches();
  nextReadAlone = true;
}

/** The better-sqlite3 client with per-connection pragmas and write transactions that begin immediately. */
export class LedgerSqliteClient extends BetterSqliteClient {
  queryCompiler(builder: unknown, formatter: unknown) {
    return new (LiteralLimitQueryCompiler as new (...a: unknown[]) => unknown)(this, builder, formatter);
  }

  transaction(...args: unknown[]) {
    return new (ImmediateTransaction as new (...a: unknown[]) => unknown)(this, ...args);
  }

  async acquireRawConnection() {
    const connection = await super.acquireRawConnection();
    connection.pragma('journal_mode = WAL');
    connection.pragma('foreign_keys = ON');
    // No waiting inside SQLite: its busy handler sleeps on the thread, and a page's write waiting for a
    // worker thread's (or another process's) write lock would hold the event loop. _query waits instead.
    connection.pragma('busy_timeout = 0');
    // This app moves money: a committed transaction must survive a power cut.
    connection.pragma('synchronous = FULL');
    // Statement journals, sorts and temporary indexes in memory: a multi-row UPDATE (the Autopay cycle settles
    // 200 invoices a statement) otherwise spills its journal to a temporary file, and every later statement of
    // that transaction then writes its journal there too: 870 MB of writes in one cycle, against 48 MB of data.
    connection.pragma('temp_store = MEMORY');
    if ((this as unknown as { connectionSettings: { servesPages?: boolean } }).connectionSettings.servesPages) {
      // Pages of a 1+ GB database read straight from the OS cache instead of copied into SQLite's, and a
      // 64 MB cache (default 2 MB) for what is not mapped: the indexes every page view walks stay hot.
      connection.pragma(`mmap_size = ${PAGE_SERVER_MMAP_BYTES}`);
      connection.pragma(`cache_size = -${PAGE_SERVER_CACHE_KIB}`);
    }
    return connection;
  }

  /**
   * Runs one statement, compiled once per connection and kept (Knex would compile it on every call, a
   * large share of a short query's cost). A statement that finds the database locked by another
   * connection waits with timers, so other requests run meanwhile, and tries again for up to 5 s.
   */
  async _query(connection: Database, obj: Query) {
    const started = Date.now();
    for (let pause = 1; ; pause = Math.min(pause * 2, 4)) {
      try {
        return this.run(connection, obj);
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() - started > LOCK_WAIT_MS) throw error;
      }
      await sleep(pause);
    }
  }

  private run(connection: Database, obj: Query) {
    if (!obj.sql) throw new Error('The query is empty');
    const statement = keptStatement(connection, obj.sql);
    const bindings = this._formatBindings(obj.bindings);
    // Only a statement that answers rows and changes nothing joins a read batch. better-sqlite3 counts an
    // INSERT … RETURNING as a reader: inside the batch it would commit only when the batch ends, unseen by
    // other connections (a worker thread) and lost in a crash though the caller had its id.
    if (statement.reader && statement.readonly && !/^\s*pragma/i.test(obj.sql)) beforeRead(connection);
    else endReadBatch(connection);
    if (statement.reader) {
      if (obj.options?.rowMode !== 'array') obj.response = statement.all(bindings);
      else
        try {
          // node-postgres's option, which Knex passes on (selectArrays in index.ts): no object per row.
          obj.response = statement.raw(true).all(bindings);
        } finally {
          // The statement is kept and shared: it goes back to answering objects.
          statement.raw(false);
        }
      return obj;
    }
    const response = statement.run(bindings);
    obj.response = response;
    obj.context = { lastID: response.lastInsertRowid, changes: response.changes };
    return obj;
  }
}
