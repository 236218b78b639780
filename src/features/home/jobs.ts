import type { JobHandlers, RecurringJob } from '../../jobs/queue.ts';
import { refreshReceivables } from './receivables.ts';

/** The receivables dashboard's figures, recomputed every five minutes by one process (the job is claimed). */
export const homeJobHandlers: JobHandlers = {
  receivables: (db) => refreshReceivables(db),
};

export const homeRecurringJobs: readonly RecurringJob[] = [{ kind: 'receivables', cron: '*/5 * * * *' }];
