import type { Config } from '../../config.ts';
import { enlargeCacheForBulkWork } from '../../db/dialect.ts';
import { createDb } from '../../db/index.ts';
import { offLoopTask, runOffLoop } from '../../lib/off-loop.ts';
import { commitBillRun, type Preview, previewBillRun } from './bill-run.ts';

export type BillRunTask =
  | { database: Config['database']; action: 'preview'; period: string }
  | { database: Config['database']; action: 'commit'; runId: number };

/**
 * The preview and the commit on a worker thread with a database handle of their own: a period of many
 * customers is seconds of rating and writing that pages must not wait behind (F5). The commit writes its
 * progress to its bill_runs row, which the page polls.
 */
export default offLoopTask(async (task: BillRunTask) => {
  const db = createDb(task.database);
  try {
    if (task.action === 'preview') return await previewBillRun(db, task.period);
    // Millions of calls marked billed touch the same index pages chunk after chunk.
    await enlargeCacheForBulkWork(db, 64);
    await commitBillRun(db, task.runId);
    return null;
  } finally {
    await db.destroy();
  }
});

export function previewInWorker(database: Config['database'], period: string): Promise<Preview> {
  return runOffLoop(new URL(import.meta.url), { database, action: 'preview', period });
}

export function commitInWorker(database: Config['database'], runId: number): Promise<null> {
  return runOffLoop(new URL(import.meta.url), { database, action: 'commit', runId });
}
