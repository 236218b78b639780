import type { Config } from '../../config.ts';
import { createDb } from '../../db/index.ts';
import { offLoopTask, runOffLoop } from '../../lib/off-loop.ts';
import { refreshReceivables } from './receivables.ts';

/**
 * refreshReceivables on a worker thread with a database handle of its own: summing a million customers'
 * invoices held the event loop for up to 200 ms at a time even in ranges that yield, and the job runs in
 * the process that serves pages (F5).
 */
export default offLoopTask(async (database: Config['database']) => {
  const db = createDb(database);
  try {
    await refreshReceivables(db);
  } finally {
    await db.destroy();
  }
});

/** Refreshes the dashboard's snapshots on the off-loop pool. */
export function refreshOffLoop(database: Config['database']): Promise<void> {
  return runOffLoop(new URL(import.meta.url), database);
}
