import type { JobHandlers, RecurringJob } from '../../jobs/queue.ts';
import { endDueServices } from './changes.ts';

/** Services set to end on a later day (C8) end early each morning (UTC), by one process. */
export const serviceJobHandlers: JobHandlers = {
  'services-end': async (db) => {
    await endDueServices(db);
  },
};

export const serviceRecurringJobs: readonly RecurringJob[] = [{ kind: 'services-end', cron: '10 0 * * *' }];
