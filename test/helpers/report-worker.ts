/**
 * Another "app process" for the report tests (started with child_process.fork): its own database
 * connection that, at an agreed moment, runs the report scheduler and then every due job it can claim.
 */
import { createDb } from '../../src/db/index.ts';
import { reportJobHandlers } from '../../src/features/reports/jobs.ts';
import { queueDueRuns } from '../../src/features/reports/runs.ts';
import { runDueJobs, workerName } from '../../src/jobs/queue.ts';

type Database = Parameters<typeof createDb>[0];
type Task = { database: Database; startAt: number; now: string };

const task = await new Promise<Task>((resolve) => process.once('message', (message) => resolve(message as Task)));
const db = createDb(task.database);
await new Promise((resolve) => setTimeout(resolve, Math.max(0, task.startAt - Date.now())));
const queued = await queueDueRuns(db, new Date(task.now));
const { done } = await runDueJobs(
  db,
  reportJobHandlers({ publicUrl: 'http://ledgerdesk.test', database: task.database }),
  {
    worker: workerName(),
  },
);
process.send!({ queued, done });
await db.destroy();
process.disconnect();
