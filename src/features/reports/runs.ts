import type { Actor } from '../../auth/principal.ts';
import type { Config } from '../../config.ts';
import { type Db, inTransaction, type Queryable } from '../../db/index.ts';
import { CLAIM_LEASE_MS, enqueueJob } from '../../jobs/queue.ts';
import { nowIso } from '../../lib/dates.ts';
import { auditAction } from '../audit/audit.ts';
import { queueEmail } from '../email/outbox.ts';
import { exportOffLoop } from './export.ts';
import { fromRecord, type Report, type ReportRecord, reportQuery } from './reports.ts';
import { nextRunAfter, periodCovered } from './schedule.ts';

/** The job kinds: the scheduler (every minute) and one run of one report. */
export const REPORTS_DUE_JOB = 'reports-due';
export const REPORT_RUN_JOB = 'report-run';

/** Files up to this size are attached to the e-mail; larger ones are linked. */
export const ATTACH_MAX_BYTES = 512 * 1024;

/**
 * Queues a run of every periodic report whose time has come (B5). Each report is claimed by moving its
 * `next_run_at` on in the same UPDATE that checks the old value, so of two processes only one queues the
 * run (the unique (report_id, due_at) refuses a second run of one tick besides). A report whose runs
 * were missed while the app was down runs once, for the latest missed tick, and then on schedule.
 */
export async function queueDueRuns(db: Db, now: Date = new Date()): Promise<number> {
  const due: ReportRecord[] = await db('reports')
    .whereNotNull('next_run_at')
    .where('next_run_at', '<=', now.toISOString())
    .orderBy('next_run_at')
    .limit(100);
  let queued = 0;
  for (const report of due.map(fromRecord)) {
    const dueAt = report.next_run_at!;
    const missedTicks = lastTickAtOrBefore(report, dueAt, now);
    const claimed = await db.transaction(async (trx) => {
      const moved = await trx('reports')
        .where({ id: report.id, next_run_at: dueAt })
        .update({ next_run_at: nextRunAfter(report, now) });
      if (moved !== 1) return false;
      const period = periodCovered(report, new Date(missedTicks));
      const [run] = await trx('report_runs')
        .insert({
          report_id: report.id,
          due_at: missedTicks,
          period_from: period.from,
          period_to: period.to,
          status: 'queued',
          created_at: nowIso(),
        })
        .onConflict(['report_id', 'due_at'])
        .ignore()
        .returning('id');
      if (run) await enqueueRun(trx, run.id, 1);
      return Boolean(run);
    });
    if (claimed) queued++;
  }
  return queued;
}

/** The latest schedule tick from `dueAt` up to `now`: the one missed run that catches up. */
function lastTickAtOrBefore(report: Report, dueAt: string, now: Date): string {
  let tick = dueAt;
  for (;;) {
    const next = nextRunAfter(report, new Date(tick));
    if (!next || next > now.toISOString()) return tick;
    tick = next;
  }
}

function enqueueRun(db: Queryable, runId: number, attempt: number) {
  return enqueueJob(db, {
    kind: REPORT_RUN_JOB,
    payload: { runId },
    idempotencyKey: `${REPORT_RUN_JOB}:${runId}:${attempt}`,
  });
}

export type RunOptions = Pick<Config, 'publicUrl' | 'database'>;

/** A kept file, chunk by chunk, for the download. */
export async function* runFileChunks(db: Queryable, runId: number): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const chunk = await db('report_run_chunks').where({ run_id: runId, seq }).first('content');
    if (!chunk) return;
    yield Buffer.from(chunk.content);
  }
}

export function runFileName(report: Pick<Report, 'name'>, run: { due_at: string }): string {
  const slug =
    report.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'report';
  return `${slug}-${run.due_at.slice(0, 10)}.csv`;
}

/**
 * Runs one queued run: claims it (queued → running, so a second job for it does nothing), writes its
 * CSV into the kept file on the off-loop pool, records rows and duration, and e-mails the recipients in the same
 * transaction that marks it done. A failure is recorded on the run with its error, for *Retry*.
 */
export async function executeRun(db: Db, runId: number, options: RunOptions): Promise<void> {
  const started = Date.now();
  // A run left 'running' by a process that died is taken over once its job's lease has lapsed.
  const staleBefore = new Date(started - CLAIM_LEASE_MS).toISOString();
  const claimed = await db('report_runs')
    .where('id', runId)
    .where((q) =>
      q
        .where('status', 'queued')
        .orWhere((stale) => stale.where('status', 'running').where('started_at', '<', staleBefore)),
    )
    .update({ status: 'running', attempts: db.raw('attempts + 1'), started_at: nowIso(), error: null });
  if (claimed !== 1) return;
  const run = await db('report_runs').where('id', runId).first();
  const record: ReportRecord | undefined = await db('reports').where('id', run.report_id).first();
  if (!record) return;
  const report = fromRecord(record);
  try {
    const query = {
      ...reportQuery(report, new Date(run.due_at)),
      period: { from: run.period_from, to: run.period_to },
    };
    const file = await exportOffLoop({ database: options.database, query, into: { runId } });
    await inTransaction(db, async (trx) => {
      const finished = { row_count: file.rows, size_bytes: file.bytes, duration_ms: Date.now() - started };
      await trx('report_runs')
        .where('id', runId)
        .update({ status: 'done', ...finished, finished_at: nowIso() });
      await emailRun(trx, report, { ...run, ...finished }, options.publicUrl);
    });
  } catch (error) {
    await db('report_runs')
      .where('id', runId)
      .update({
        status: 'failed',
        error: String(error instanceof Error ? error.message : error).slice(0, 1000),
        duration_ms: Date.now() - started,
        finished_at: nowIso(),
      });
  }
}

async function emailRun(
  trx: Queryable,
  report: Report,
  run: { id: number; due_at: string; period_from: string; period_to: string; row_count: number; size_bytes: number },
  publicUrl: string,
) {
  if (!report.recipients.length) return;
  const filename = runFileName(report, run);
  const attach = run.size_bytes <= ATTACH_MAX_BYTES;
  const content = attach ? Buffer.concat(await collect(runFileChunks(trx, run.id))) : null;
  const link = `${publicUrl.replace(/\/$/, '')}/reports/${report.id}/runs/${run.id}/download`;
  for (const to of report.recipients)
    await queueEmail(trx, {
      to,
      template: 'report',
      data: { report: { name: report.name }, run, filename, link: attach ? null : link },
      attachments: content ? [{ filename, contentType: 'text/csv', content }] : [],
    });
}

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const all: Buffer[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

/** *Retry* of a failed run: queued again with a job of its own; audited. */
export async function retryRun(db: Db, runId: number, actor: Actor): Promise<boolean> {
  return db.transaction(async (trx) => {
    const run = await trx('report_runs').where({ id: runId, status: 'failed' }).first('id', 'attempts');
    if (!run) return false;
    await trx('report_runs').where('id', runId).update({ status: 'queued', finished_at: null });
    await auditAction(trx, { table: 'report_runs', id: runId, actor }, 'retry');
    await enqueueRun(trx, runId, run.attempts + 1);
    return true;
  });
}
