import type { Db } from '../../db/index.ts';
import { workerName } from '../../jobs/queue.ts';
import { attachmentsOf, dueEmailIds, whereDue } from './queries.ts';
import { type Mailer, type OutgoingEmail, type SendFailure, sendFailure } from './smtp.ts';

/** The waits before the second to fifth attempt; the fifth failure is final. */
export const RETRY_DELAYS_MS = [1, 5, 30, 120].map((minutes) => minutes * 60_000);

/** When to try again after attempt number `attempts` failed at `failedAt`; null once the attempts are used up. */
export function nextAttemptAt(attempts: number, failedAt: Date): Date | null {
  const delay = RETRY_DELAYS_MS[attempts - 1];
  return delay === undefined ? null : new Date(failedAt.getTime() + delay);
}

type ClaimedEmail = OutgoingEmail & { id: number; attempts: number };
export type SendSummary = { sent: number; retrying: number; failed: number };

const BATCH_SIZE = 50;

/**
 * The sender: sends every due e-mail through `mailer`. Each e-mail is claimed in the database first (a
 * conditional update, committed), so two processes never send the same one; then sent with no
 * transaction open; then the outcome is recorded. A failure is tried again later (nextAttemptAt) and
 * is final after the last attempt or a permanent refusal. When the server itself is unavailable the
 * run stops: the rest wait for the next run rather than each wait out a time-out.
 * Without a mailer (no SMTP_URL) it sends nothing and the outbox keeps its e-mails.
 */
export async function sendDueEmails(
  db: Db,
  mailer: Mailer | undefined,
  { now = () => new Date() }: { now?: () => Date } = {},
): Promise<SendSummary> {
  const summary: SendSummary = { sent: 0, retrying: 0, failed: 0 };
  if (!mailer) return summary;
  const worker = workerName();
  for (;;) {
    const due = await dueEmailIds(db, now(), BATCH_SIZE);
    for (const id of due) {
      const startedAt = now();
      const email = await claimEmail(db, id, worker, startedAt);
      if (!email) continue;
      const failure = await mailer(email).then(
        () => null,
        (error: unknown) => sendFailure(error),
      );
      const outcome = await recordAttempt(db, email, worker, { startedAt, finishedAt: now(), failure });
      summary[outcome]++;
      if (failure?.serverWide) return summary;
    }
    if (due.length < BATCH_SIZE) return summary;
  }
}

/** Takes the e-mail for `worker` if it is still due; null when another sender got it first. */
async function claimEmail(db: Db, id: number, worker: string, now: Date): Promise<ClaimedEmail | null> {
  const [row] = await whereDue(db('emails'), now)
    .where('id', id)
    .update({ claimed_by: worker, claimed_at: now.toISOString(), attempts: db.raw('attempts + 1') })
    .returning(['id', 'attempts', 'to_address', 'subject', 'body', 'html', 'created_at']);
  if (!row) return null;
  return {
    id: row.id,
    attempts: row.attempts,
    key: `email-${row.id}.${Date.parse(row.created_at)}`,
    to: row.to_address,
    subject: row.subject,
    text: row.body,
    html: row.html,
    attachments: await attachmentsOf(db, row.id),
  };
}

/** Records one attempt and its outcome on the e-mail, if `worker` still holds it. */
async function recordAttempt(
  db: Db,
  email: ClaimedEmail,
  worker: string,
  attempt: { startedAt: Date; finishedAt: Date; failure: SendFailure | null },
): Promise<keyof SendSummary> {
  const { startedAt, finishedAt, failure } = attempt;
  const retryAt = failure && !failure.permanent ? nextAttemptAt(email.attempts, finishedAt) : null;
  const [outcome, changes] = !failure
    ? (['sent', { status: 'sent', sent_at: finishedAt.toISOString(), next_attempt_at: null, error: null }] as const)
    : retryAt
      ? (['retrying', { next_attempt_at: retryAt.toISOString(), error: failure.message }] as const)
      : (['failed', { status: 'failed', next_attempt_at: null, error: failure.message }] as const);
  await db.transaction(async (trx) => {
    await trx('email_attempts').insert({
      email_id: email.id,
      started_at: startedAt.toISOString(),
      finished_at: finishedAt.toISOString(),
      error: failure?.message ?? null,
    });
    await trx('emails')
      .where({ id: email.id, claimed_by: worker })
      .update({ ...changes, claimed_by: null, claimed_at: null });
  });
  return outcome;
}
