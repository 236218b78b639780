import type { Config } from '../../../config.ts';
import { createDb } from '../../../db/index.ts';
import { offLoopTask, runOffLoop } from '../../../lib/off-loop.ts';
import { processGateway } from '../gateway.ts';
import { type CycleSummary, runAutopayCycle } from './cycle.ts';

type CycleTask = { database: Config['database']; date: string; dryRun?: boolean };

/**
 * The daily Autopay cycle (E12) on the off-loop pool with a database handle of its own: reading,
 * deciding and paying 100,000 invoices would otherwise take seconds of the event loop from every page (F5).
 * The thread charges through its own copy of the process gateway: a real gateway keeps idempotency on its
 * side; the sandbox's memory of a timed-out key is the thread's, so the payments job, which asks again
 * from the main thread, sees that payment settle one round later.
 */
export default offLoopTask(async (task: CycleTask): Promise<CycleSummary> => {
  const db = createDb(task.database);
  try {
    return await runAutopayCycle(db, processGateway, { date: task.date, dryRun: task.dryRun });
  } finally {
    await db.destroy();
  }
});

/** Runs the cycle of `date` on a worker thread and answers its summary; pages are served meanwhile. */
export function runAutopayCycleOffLoop(task: CycleTask): Promise<CycleSummary> {
  return runOffLoop(new URL(import.meta.url), task);
}
