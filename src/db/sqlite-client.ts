import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// Knex has no public hook for the BEGIN statement; these are its own SQLite classes, extended.
const BetterSqliteClient = require('knex/lib/dialects/better-sqlite3/index.js');
const SqliteTransaction = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction.js');

/**
 * A transaction that takes SQLite's write lock at BEGIN. A plain BEGIN starts as a reader, and in WAL
 * mode a reader that later writes fails at once with SQLITE_BUSY if another process wrote in between.
 */
class ImmediateTransaction extends SqliteTransaction {
  begin(conn: unknown) {
    return this.query(conn, 'BEGIN IMMEDIATE;');
  }
}

/** The better-sqlite3 client with per-connection pragmas and write transactions that begin immediately. */
export class LedgerSqliteClient extends BetterSqliteClient {
  transaction(...args: unknown[]) {
    return new (ImmediateTransaction as new (...a: unknown[]) => unknown)(this, ...args);
  }

  async acquireRawConnection() {
    const connection = await super.acquireRawConnection();
    connection.pragma('journal_mode = WAL');
    connection.pragma('foreign_keys = ON');
    connection.pragma('busy_timeout = 5000');
    // This app moves money: a committed transaction must survive a power cut.
    connection.pragma('synchronous = FULL');
    return connection;
  }
}
