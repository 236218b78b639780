import { transactionWithoutFlush } from './dialect.ts';
import type { Db, Queryable, Tx } from './index.ts';

/** Rows kept while the database refuses them (locked for longer than a statement waits, or down). */
const MAX_PENDING = 50_000;

type Options<Row> = {
  /** Writes one batch; runs in one transaction, so a batch is written whole or not at all and can be tried again. */
  write: (trx: Tx, rows: readonly Row[]) => Promise<void>;
  /** A batch is written this long after its first row at the latest: what a crash can lose. */
  maxDelayMs?: number;
  /** …or as soon as it holds this many rows. */
  maxRows?: number;
  onError: (error: unknown) => void;
};

const registered = new WeakMap<Db, Set<WriteBehind<unknown>>>();

/**
 * Rows that need not be durable before a response leaves (the access trail, Recently Viewed): kept in
 * memory and written in batches off the response path, at most `maxDelayMs` after they arrived, each in
 * one transaction that does not wait for the disk (`transactionWithoutFlush`). A page view then costs no
 * fsync. A crash loses at most that last stretch (a power cut, the batches since the last money write); a
 * clean stop writes everything (`close`), and readers call `flushWritesBehind` first so what they show
 * is complete.
 */
export class WriteBehind<Row> {
  private pending: Row[] = [];
  private timer: NodeJS.Timeout | undefined;
  // One batch at a time, in arrival order.
  private writing: Promise<void> = Promise.resolve();
  private readonly maxDelayMs: number;
  private readonly maxRows: number;

  constructor(
    private readonly db: Db,
    private readonly options: Options<Row>,
  ) {
    this.maxDelayMs = options.maxDelayMs ?? 1000;
    this.maxRows = options.maxRows ?? 500;
    const set = registered.get(db) ?? new Set();
    set.add(this as WriteBehind<unknown>);
    registered.set(db, set);
  }

  add(row: Row): void {
    this.pending.push(row);
    if (this.pending.length >= this.maxRows) void this.flushReporting();
    else this.timer ??= setTimeout(() => void this.flushReporting(), this.maxDelayMs).unref();
  }

  /** Writes every row added so far; resolves once they are committed. A failed batch stays pending. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.writing.then(() => this.writePending());
    this.writing = next.catch(() => {});
    return next;
  }

  flushReporting(): Promise<void> {
    return this.flush().catch(this.options.onError);
  }

  /** Writes what is pending and forgets this writer (a clean stop). */
  async close(): Promise<void> {
    registered.get(this.db)?.delete(this as WriteBehind<unknown>);
    await this.flush();
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      await transactionWithoutFlush(this.db, (trx) => this.options.write(trx, batch));
    } catch (error) {
      // Rolled back, so nothing of it was written: keep it for the next flush, oldest first.
      this.pending = [...batch, ...this.pending].slice(-MAX_PENDING);
      if (!this.timer && this.pending.length)
        this.timer = setTimeout(() => void this.flushReporting(), this.maxDelayMs).unref();
      throw error;
    }
  }
}

/**
 * Writes every row waiting in a WriteBehind on this database handle: call it before reading those tables.
 * A refused batch is reported to the writer's onError and stays pending; the reader goes on with what is
 * written. Inside a transaction there is nothing to wait for (a batch is its own transaction on the handle).
 */
export async function flushWritesBehind(db: Queryable): Promise<void> {
  await Promise.all([...(registered.get(db as Db) ?? [])].map((writer) => writer.flushReporting()));
}
