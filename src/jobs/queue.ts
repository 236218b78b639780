import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Cron } from 'croner';
import type { Knex } from 'knex';
import { claimingRows } from '../db/dialect.ts';
import type { Db, Queryable } from '../db/index.ts';

/**
 * Background work kept as rows in `jobs`, claimed in the database so that any number of app processes
 * can run the due-jobs loop at once and each job runs once. A job whose process died mid-run is due
 * again when its claim is older than CLAIM_LEASE_MS, so handlers must make their effects idempotent
 * (a unique key per payment, per report run, per e-mail) rather than assume they never run twice.
 */

export type Job = { id: number; kind: string; payload: unknown; attempts: number; runAt: string };
/** Does one job. Throwing makes the job be tried again later (up to MAX_ATTEMPTS), then marked failed. */
export type JobHandler = (db: Db, job: Job) => Promise<void>;
/** The handler for each job kind this process runs; jobs of other kinds are left for other processes. */
export type JobHandlers = Readonly<Record<string, JobHandler>>;
/** A job kind enqueued on a cron pattern (UTC), once per tick however many processes run. */
export type RecurringJob = Readonly<{ kind: string; cron: string }>;

export const MAX_ATTEMPTS = 5;
export const CLAIM_LEASE_MS = 10 * 60_000;

type JobRow = { id: number; kind: string; payload: string; attempts: number; run_at: string };

/** A name for this process in `jobs.claimed_by`, unique across machines and restarts. */
export function workerName(): string {
  return `${hostname()}#${process.pid}#${randomBytes(3).toString('hex')}`;
}

/** Queues a job; with an idempotency key, a second enqueue of the same key does nothing and returns null. */
export async function enqueueJob(
  db: Queryable,
  job: { kind: string; payload?: unknown; runAt?: string; idempotencyKey?: string },
): Promise<number | null> {
  const now = new Date().toISOString();
  const rows: { id: number }[] = await db('jobs')
    .insert({
      kind: job.kind,
      payload: JSON.stringify(job.payload ?? {}),
      run_at: job.runAt ?? now,
      idempotency_key: job.idempotencyKey ?? null,
      created_at: now,
    })
    .onConflict('idempotency_key')
    .ignore()
    .returning('id');
  return rows[0]?.id ?? null;
}

/** Due: queued and its time has come, or claimed by a process that has not finished it within the lease. */
function whereDue(query: Knex.QueryBuilder, kinds: string[], now: Date): Knex.QueryBuilder {
  const staleBefore = new Date(now.getTime() - CLAIM_LEASE_MS).toISOString();
  return query
    .whereIn('kind', kinds)
    .where((due) =>
      due
        .where((w) => w.where('status', 'queued').where('run_at', '<=', now.toISOString()))
        .orWhere((w) => w.where('status', 'running').where('claimed_at', '<', staleBefore)),
    );
}

/**
 * Claims up to `limit` due jobs of the given kinds for `worker`, oldest first. Concurrent callers in
 * other processes get other jobs (row locks that skip on PostgreSQL, the write lock on SQLite), and the
 * UPDATE repeats the due condition so a job can never be claimed twice.
 */
export async function claimDueJobs(
  db: Db,
  worker: string,
  kinds: string[],
  limit: number,
  now = new Date(),
): Promise<Job[]> {
  if (!kinds.length) return [];
  const rows = await db.transaction(async (trx): Promise<JobRow[]> => {
    const due = await claimingRows(
      trx,
      whereDue(trx('jobs').select('id'), kinds, now).orderBy(['run_at', 'id']).limit(limit),
    );
    if (!due.length) return [];
    return whereDue(trx('jobs'), kinds, now)
      .whereIn(
        'id',
        due.map((row: { id: number }) => row.id),
      )
      .update({
        status: 'running',
        claimed_by: worker,
        claimed_at: now.toISOString(),
        attempts: trx.raw('attempts + 1'),
      })
      .returning(['id', 'kind', 'payload', 'attempts', 'run_at']);
  });
  return rows
    .sort((a, b) => a.run_at.localeCompare(b.run_at) || a.id - b.id)
    .map((row) => ({
      id: row.id,
      kind: row.kind,
      payload: JSON.parse(row.payload),
      attempts: row.attempts,
      runAt: row.run_at,
    }));
}

/** Retry after 1, 2, 4, 8 minutes. */
function retryDelayMs(attempts: number): number {
  return 60_000 * 2 ** (attempts - 1);
}

/** Records the outcome, only if this worker still holds the claim (a lapsed claim belongs to whoever took it over). */
async function finishJob(db: Db, job: Job, worker: string, error?: unknown): Promise<void> {
  const now = new Date();
  const ours = db('jobs').where({ id: job.id, claimed_by: worker, status: 'running' });
  if (error === undefined) {
    await ours.update({ status: 'done', finished_at: now.toISOString() });
  } else if (job.attempts >= MAX_ATTEMPTS) {
    await ours.update({ status: 'failed', finished_at: now.toISOString(), last_error: String(error) });
  } else {
    const runAt = new Date(now.getTime() + retryDelayMs(job.attempts)).toISOString();
    await ours.update({
      status: 'queued',
      run_at: runAt,
      claimed_by: null,
      claimed_at: null,
      last_error: String(error),
    });
  }
}

export type JobRunSummary = { done: number; failed: number };
type Logger = { error(details: object, message: string): void };

/**
 * Runs due jobs, a batch at a time, until none of the kinds this process handles is due. A failing
 * job is recorded for a retry and does not stop the others.
 */
export async function runDueJobs(
  db: Db,
  handlers: JobHandlers,
  options: { worker: string; batchSize?: number; now?: () => Date; log?: Logger },
): Promise<JobRunSummary> {
  const { worker, batchSize = 20, now = () => new Date(), log } = options;
  const summary: JobRunSummary = { done: 0, failed: 0 };
  for (;;) {
    const jobs = await claimDueJobs(db, worker, Object.keys(handlers), batchSize, now());
    for (const job of jobs) {
      try {
        await handlers[job.kind](db, job);
        await finishJob(db, job, worker);
        summary.done++;
      } catch (error) {
        log?.error({ err: error, jobId: job.id, kind: job.kind, attempts: job.attempts }, 'job failed');
        await finishJob(db, job, worker, error);
        summary.failed++;
      }
    }
    if (jobs.length < batchSize) return summary;
  }
}

/**
 * The due-jobs loop of one process: runs due jobs every `intervalMs`, and enqueues each recurring job
 * on its cron tick with the tick as idempotency key, so several processes queue it once between them.
 * `stop()` waits for the jobs in hand to finish.
 */
export function startJobLoop(
  db: Db,
  handlers: JobHandlers,
  options: { recurring?: readonly RecurringJob[]; intervalMs: number; log: Logger; worker?: string },
): { stop(): Promise<void> } {
  const worker = options.worker ?? workerName();
  const crons = (options.recurring ?? []).map(
    ({ kind, cron }) =>
      new Cron(cron, { timezone: 'UTC', protect: true }, async (self: Cron) => {
        const tick = (self.currentRun() ?? new Date()).toISOString().slice(0, 16);
        await enqueueJob(db, { kind, idempotencyKey: `${kind}@${tick}` }).catch((error) =>
          options.log.error({ err: error, kind }, 'could not enqueue a recurring job'),
        );
      }),
  );
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = runDueJobs(db, handlers, { worker, log: options.log })
      .then(
        () => undefined,
        (error) => options.log.error({ err: error, worker }, 'the due-jobs loop could not claim jobs'),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      for (const cron of crons) cron.stop();
      await running;
    },
  };
}
