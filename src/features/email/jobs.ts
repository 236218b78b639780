import type { Config } from '../../config.ts';
import type { JobHandlers, RecurringJob } from '../../jobs/queue.ts';
import { EMAIL_JOB } from './outbox.ts';
import { sendDueEmails } from './sender.ts';
import { smtpMailer } from './smtp.ts';

/**
 * The sender, queued by queueEmail with each e-mail and every minute for retries. Without SMTP_URL it
 * runs and sends nothing: the e-mails stay queued in the outbox.
 */
export function emailJobHandlers({ smtpUrl, mailFrom }: Pick<Config, 'smtpUrl' | 'mailFrom'>): JobHandlers {
  const mailer = smtpUrl ? smtpMailer({ url: smtpUrl, from: mailFrom }) : undefined;
  return {
    [EMAIL_JOB]: async (db) => {
      await sendDueEmails(db, mailer);
    },
  };
}

export const emailRecurringJobs: readonly RecurringJob[] = [{ kind: EMAIL_JOB, cron: '* * * * *' }];
