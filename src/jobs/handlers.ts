import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { emailJobHandlers, emailRecurringJobs } from '../features/email/jobs.ts';
import { homeJobHandlers, homeRecurringJobs } from '../features/home/jobs.ts';
import { paymentJobHandlers, paymentRecurringJobs } from '../features/ledger/jobs.ts';
import { reportJobHandlers, reportRecurringJobs } from '../features/reports/jobs.ts';
import { serviceJobHandlers, serviceRecurringJobs } from '../features/services/jobs.ts';
import { deleteExpiredSessions } from '../plugins/session-store.ts';
import type { JobHandlers, RecurringJob } from './queue.ts';

const FINISHED_JOBS_KEPT_DAYS = 30;

/** Deletes expired sessions, and finished jobs once they are no longer of interest. */
async function housekeeping(db: Db): Promise<void> {
  await deleteExpiredSessions(db);
  const before = new Date(Date.now() - FINISHED_JOBS_KEPT_DAYS * 86_400_000).toISOString();
  await db('jobs').whereIn('status', ['done', 'failed']).where('finished_at', '<', before).delete();
}

/**
 * Every job kind the app runs, and its handler: features add theirs here (in their own jobs.ts), the
 * way app.ts lists their routes, and take the configuration they need from `config`.
 */
export const jobHandlers = (config: Config): JobHandlers => ({
  housekeeping: (db) => housekeeping(db),
  ...paymentJobHandlers(config.database),
  ...emailJobHandlers(config),
  ...reportJobHandlers(config),
  ...homeJobHandlers(config),
  ...serviceJobHandlers,
});

/** Job kinds queued on a schedule (cron patterns in UTC). */
export const recurringJobs: readonly RecurringJob[] = [
  { kind: 'housekeeping', cron: '*/15 * * * *' },
  ...paymentRecurringJobs,
  ...emailRecurringJobs,
  ...reportRecurringJobs,
  ...homeRecurringJobs,
  ...serviceRecurringJobs,
];
