import type { JobHandlers, RecurringJob } from '../../jobs/queue.ts';
import { executeRun, queueDueRuns, REPORT_RUN_JOB, REPORTS_DUE_JOB, type RunOptions } from './runs.ts';

/**
 * B5 periodic reports: every minute the scheduler queues the runs that are due (also, once, a run
 * missed while the app was down), and each run is a job of its own, claimed by one process.
 */
export function reportJobHandlers(options: RunOptions): JobHandlers {
  return {
    [REPORTS_DUE_JOB]: async (db) => {
      await queueDueRuns(db);
    },
    [REPORT_RUN_JOB]: async (db, job) => {
      await executeRun(db, Number((job.payload as { runId: number }).runId), options);
    },
  };
}

export const reportRecurringJobs: readonly RecurringJob[] = [{ kind: REPORTS_DUE_JOB, cron: '* * * * *' }];
