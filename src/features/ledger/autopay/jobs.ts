import type { Config } from '../../../config.ts';
import type { Job, JobHandlers, RecurringJob } from '../../../jobs/queue.ts';
import { runAutopayCycleOffLoop } from './cycle-worker.ts';

/**
 * The daily Autopay cycle (E12), on the off-loop pool. Its date is the day the job was due, not the day it
 * happens to run, so a retried job repeats that day's cycle, whose idempotency keys make it pay nothing twice.
 */
export const autopayJobHandlers = (database: Config['database']): JobHandlers => ({
  autopay: async (_db, job: Job) => {
    await runAutopayCycleOffLoop({ database, date: job.runAt.slice(0, 10) });
  },
});

/** Once a day, early in the UTC morning, after the night's invoices are in. */
export const autopayRecurringJobs: readonly RecurringJob[] = [{ kind: 'autopay', cron: '0 6 * * *' }];
