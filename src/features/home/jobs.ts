import type { Config } from '../../config.ts';
import type { JobHandlers, RecurringJob } from '../../jobs/queue.ts';
import { refreshOffLoop } from './refresh-worker.ts';

/**
 * The receivables dashboard's figures, recomputed every five minutes by one process (the job is
 * claimed), on the off-loop pool.
 */
export const homeJobHandlers = ({ database }: Pick<Config, 'database'>): JobHandlers => ({
  receivables: () => refreshOffLoop(database),
});

export const homeRecurringJobs: readonly RecurringJob[] = [{ kind: 'receivables', cron: '*/5 * * * *' }];
