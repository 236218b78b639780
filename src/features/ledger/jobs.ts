import type { Config } from '../../config.ts';
import type { JobHandlers, RecurringJob } from '../../jobs/queue.ts';
import { autopayJobHandlers, autopayRecurringJobs } from './autopay/jobs.ts';
import { runPaymentJobs } from './charging.ts';
import { processGateway } from './gateway.ts';

/**
 * Due scheduled payments, and pending payments a crash or a gateway time-out left behind (so also
 * those of a previous run, within a minute of start-up). Safe in several processes: each payment is
 * claimed in the database before it is charged, and every charge carries its idempotency key.
 */
export const paymentJobHandlers = (database: Config['database']): JobHandlers => ({
  payments: (db) => runPaymentJobs(db, processGateway),
  ...autopayJobHandlers(database),
});

export const paymentRecurringJobs: readonly RecurringJob[] = [
  { kind: 'payments', cron: '* * * * *' },
  ...autopayRecurringJobs,
];
