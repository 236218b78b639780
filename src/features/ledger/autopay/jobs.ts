import type { Job, JobHandlers, RecurringJob } from '../../../jobs/queue.ts';
import { processGateway } from '../gateway.ts';
import { runAutopayCycle } from './cycle.ts';

/**
 * The daily Autopay cycle (E12). Its date is the day the job was due, not the day it happens to run, so a
 * retried job repeats that day's cycle, whose idempotency keys make it pay nothing twice.
 */
export const autopayJobHandlers: JobHandlers = {
  autopay: async (db, job: Job) => {
    await runAutopayCycle(db, processGateway, { date: job.runAt.slice(0, 10) });
  },
};

/** Once a day, early in the UTC morning, after the night's invoices are in. */
export const autopayRecurringJobs: readonly RecurringJob[] = [{ kind: 'autopay', cron: '0 6 * * *' }];
