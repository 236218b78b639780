import { createReadStream } from 'node:fs';
import type { Config } from '../../config.ts';
import { enlargeCacheForBulkWork } from '../../db/dialect.ts';
import { createDb } from '../../db/index.ts';
import { offLoopTask, runOffLoop } from '../../lib/off-loop.ts';
import { type ImportOutcome, importCdrs } from './import.ts';

export type ImportTask = { database: Config['database']; path: string; filename: string; userId: number | null };

/**
 * importCdrs on a worker thread with a database handle of its own: a file of a million calls is tens of
 * seconds of parsing and writing (and SQLite checkpoints) that pages must not wait behind (F5).
 */
export default offLoopTask(async (task: ImportTask) => {
  const db = createDb(task.database);
  try {
    await enlargeCacheForBulkWork(db, 32);
    return await importCdrs(db, createReadStream(task.path), {
      filename: task.filename,
      actor: { userId: task.userId },
    });
  } finally {
    await db.destroy();
  }
});

/** Imports a call record file already on disk on a worker thread; pages are served meanwhile. */
export function importInWorker(task: ImportTask): Promise<ImportOutcome> {
  return runOffLoop(new URL(import.meta.url), task);
}
