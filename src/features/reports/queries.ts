import type { StaffPrincipal } from '../../auth/principal.ts';
import type { Queryable } from '../../db/index.ts';
import { type KeysetPage, keysetPage } from '../../lib/keyset.ts';
import { fromRecord, type Report, type ReportRecord } from './reports.ts';

export const REPORTS_PAGE_SIZE = 50;
export const RUNS_PAGE_SIZE = 50;

/** The reports a staff user may see: a reseller's own reseller's, every report for an admin. */
function reportsVisibleTo(db: Queryable, user: StaffPrincipal) {
  const query = db<ReportRecord>('reports');
  return user.role === 'reseller' ? query.where('reports.reseller_id', user.resellerId ?? -1) : query;
}

export type ReportListRow = Report & {
  reseller_name: string | null;
  last_run: { status: string; finished_at: string | null; row_count: number | null } | null;
};

/** The list of reports, newest first, a page at a time (keyset on id), with each one's last run. */
export async function listReports(
  db: Queryable,
  user: StaffPrincipal,
  beforeId?: number,
): Promise<KeysetPage<ReportListRow>> {
  const records = await reportsVisibleTo(db, user)
    .leftJoin('resellers as r', 'r.id', 'reports.reseller_id')
    .modify((q) => (beforeId ? q.where('reports.id', '<', beforeId) : q))
    .orderBy('reports.id', 'desc')
    .limit(REPORTS_PAGE_SIZE + 1)
    .select('reports.*', 'r.name as reseller_name');
  const { rows: page, nextBefore } = keysetPage(
    records as (ReportRecord & { reseller_name: string | null })[],
    REPORTS_PAGE_SIZE,
  );
  const ids = page.map((r) => r.id);
  const lastRuns = ids.length
    ? await db('report_runs')
        .whereIn('id', db('report_runs').whereIn('report_id', ids).groupBy('report_id').select(db.raw('max(id)')))
        .select('report_id', 'status', 'finished_at', 'row_count')
    : [];
  const lastRunOf = new Map(lastRuns.map((run) => [run.report_id, run]));
  return {
    rows: page.map((record) => ({
      ...fromRecord(record),
      reseller_name: record.reseller_name,
      last_run: lastRunOf.get(record.id) ?? null,
    })),
    nextBefore,
  };
}

/** A report the user may see, or undefined (answered with 404, also for another reseller's report). */
export async function findReportFor(db: Queryable, user: StaffPrincipal, id: number): Promise<Report | undefined> {
  const record = await reportsVisibleTo(db, user).where('reports.id', id).first();
  return record ? fromRecord(record) : undefined;
}

/** Who created and last changed a report, and the reseller it covers, for its page. */
export async function reportPeople(db: Queryable, report: Report) {
  const ids = [report.created_by, report.updated_by].filter((id): id is number => id !== null);
  const users = ids.length ? await db('users').whereIn('id', ids).select('id', 'name') : [];
  const nameOf = (id: number | null) => users.find((u) => u.id === id)?.name ?? null;
  const reseller = report.reseller_id ? await db('resellers').where('id', report.reseller_id).first('name') : null;
  return {
    createdBy: nameOf(report.created_by),
    updatedBy: nameOf(report.updated_by),
    reseller: reseller?.name ?? null,
  };
}

export type RunRow = {
  id: number;
  report_id: number;
  due_at: string;
  period_from: string | null;
  period_to: string | null;
  status: 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  row_count: number | null;
  size_bytes: number | null;
  duration_ms: number | null;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
};

/** A report's runs, newest first, a page at a time. */
export async function listRuns(db: Queryable, reportId: number, beforeId?: number): Promise<KeysetPage<RunRow>> {
  const rows: RunRow[] = await db('report_runs')
    .where('report_id', reportId)
    .modify((q) => (beforeId ? q.where('id', '<', beforeId) : q))
    .orderBy('id', 'desc')
    .limit(RUNS_PAGE_SIZE + 1);
  return keysetPage(rows, RUNS_PAGE_SIZE);
}

export async function findRun(db: Queryable, reportId: number, runId: number): Promise<RunRow | undefined> {
  return db('report_runs').where({ id: runId, report_id: reportId }).first();
}

/** The resellers an admin can point a report at. */
export async function resellerOptions(db: Queryable): Promise<{ id: number; name: string }[]> {
  return db('resellers').orderBy('name').select('id', 'name');
}
