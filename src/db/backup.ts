import { existsSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';

/**
 * Online backup and restore of a SQLite installation (issue 18, docs/security.md). The backup uses
 * SQLite's backup API in one step: a read transaction, so in WAL mode the app keeps reading and writing
 * meanwhile and the copy is the database as of its start (copied in small steps, every write by the app
 * would restart it). PostgreSQL is backed up with pg_dump instead (README).
 */

/** Pages per backup step: all of them, in one read transaction. */
const WHOLE = 2 ** 31 - 1;

/** "ok", or SQLite's list of problems. */
export function integrityOf(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

/** Copies the live database `from` into `to` (a new file) and checks the copy. */
export async function backupSqlite(from: string, to: string): Promise<void> {
  if (existsSync(to)) throw new Error(`${to} exists already: choose a new file name`);
  const source = new Database(from, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    await source.backup(to, { progress: () => WHOLE });
  } finally {
    source.close();
  }
  const integrity = integrityOf(to);
  if (integrity !== 'ok') {
    rmSync(to, { force: true });
    throw new Error(`the backup failed its integrity check: ${integrity}`);
  }
}

/**
 * Replaces the database `to` with the backup `from`, after checking the backup. The app must be stopped:
 * a running process would keep writing to the file it has open. The old database is kept beside it as
 * `<to>.before-restore` until the next restore.
 */
export async function restoreSqlite(from: string, to: string): Promise<void> {
  const integrity = integrityOf(from);
  if (integrity !== 'ok') throw new Error(`${from} failed its integrity check: ${integrity}`);
  const staging = `${to}.restoring`;
  rmSync(staging, { force: true });
  const backup = new Database(from, { readonly: true, fileMustExist: true });
  try {
    await backup.backup(staging, { progress: () => WHOLE });
  } finally {
    backup.close();
  }
  if (existsSync(to)) {
    // The live file's WAL belongs to it; checkpoint it in so the kept copy is whole.
    const live = new Database(to);
    live.pragma('wal_checkpoint(TRUNCATE)');
    live.close();
    renameSync(to, `${to}.before-restore`);
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${to}${suffix}`, { force: true });
  renameSync(staging, to);
}
