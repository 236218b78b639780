import type { Actor, StaffPrincipal } from '../../auth/principal.ts';
import type { Db, Queryable } from '../../db/index.ts';
import { todayIso } from '../../lib/dates.ts';
import { deleteAudited, insertAudited, updateAudited } from '../audit/audit.ts';
import type { ReportFilters, ReportQuery, ReportRow } from './field-sql.ts';
import { type FieldKey, fieldKeys, isFieldKey } from './fields.ts';
import { reportRows } from './rows.ts';
import { nextRunAfter, periodCovered, type ScheduleSettings } from './schedule.ts';
import type { ReportForm } from './schemas.ts';

const TABLE = 'reports';

/** A report as the app uses it: its stored row with the JSON columns read. */
export type Report = ScheduleSettings & {
  id: number;
  reseller_id: number | null;
  name: string;
  filters: ReportFilters;
  fields: FieldKey[];
  recipients: string[];
  next_run_at: string | null;
  created_by: number | null;
  updated_by: number | null;
  version: number;
  created_at: string;
  updated_at: string;
};

export type ReportRecord = Omit<Report, 'filters' | 'fields' | 'recipients'> & {
  filters: string;
  fields: string;
  recipients: string;
};

export function fromRecord(row: ReportRecord): Report {
  return {
    ...row,
    filters: JSON.parse(row.filters),
    fields: (JSON.parse(row.fields) as string[]).filter(isFieldKey),
    recipients: row.recipients ? row.recipients.split(',') : [],
  };
}

/** What a new report starts as: on demand, last month, every reportable field (Custom Account ID first). */
export function newReportValues(): Record<string, unknown> {
  return {
    name: '',
    schedule: 'on-demand',
    weekday: 1,
    month_day: 1,
    period: 'last-month',
    fields: fieldKeys,
    order: fieldKeys,
    recipients: '',
  };
}

/** The checked fields in the order the form showed them (dragged or moved). */
export function chosenFields(form: Pick<ReportForm, 'fields' | 'order'>): FieldKey[] {
  const checked = new Set<string>(form.fields);
  const ordered = form.order.filter((key) => checked.has(key));
  return [...new Set([...ordered, ...form.fields])].filter(isFieldKey);
}

/**
 * The stored columns of a submitted form. A reseller's report always covers that reseller's customers,
 * whatever was posted (B1); an admin picks a reseller or leaves it for all.
 */
function columnsOf(form: ReportForm, by: StaffPrincipal, now: Date) {
  const schedule = {
    schedule: form.schedule,
    weekday: form.schedule === 'weekly' ? form.weekday : null,
    month_day: form.schedule === 'monthly' ? form.month_day : null,
  };
  const filters: ReportFilters = {
    ...(form.status ? { status: form.status } : {}),
    ...(form.kind ? { kind: form.kind } : {}),
    ...(form.with_open_invoices ? { withOpenInvoices: true } : {}),
    ...(form.with_past_due_invoices ? { withPastDueInvoices: true } : {}),
  };
  return {
    reseller_id: by.role === 'reseller' ? by.resellerId : form.reseller_id,
    name: form.name,
    ...schedule,
    period: form.period,
    range_from: form.period === 'range' ? form.range_from : null,
    range_to: form.period === 'range' ? form.range_to : null,
    filters: JSON.stringify(filters),
    fields: JSON.stringify(chosenFields(form)),
    recipients: form.recipients.join(','),
    next_run_at: nextRunAfter(schedule, now),
  };
}

export async function createReport(db: Db, form: ReportForm, by: StaffPrincipal, actor: Actor): Promise<number> {
  const now = new Date();
  return insertAudited(
    db,
    { table: TABLE, actor },
    {
      ...columnsOf(form, by, now),
      created_by: actor.userId,
      updated_by: actor.userId,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    },
  );
}

/** Saves the edit form; a stale version is refused (StaleEditError). The next run follows the new schedule. */
export async function updateReport(
  db: Db,
  id: number,
  form: ReportForm,
  by: StaffPrincipal,
  actor: Actor,
): Promise<void> {
  await db.transaction((trx) =>
    updateAudited(
      trx,
      { table: TABLE, id, actor, expectedVersion: form.version },
      { ...columnsOf(form, by, new Date()), updated_by: actor.userId },
    ),
  );
}

export async function deleteReport(db: Db, id: number, actor: Actor): Promise<void> {
  await deleteAudited(db, { table: TABLE, id, actor });
}

/** The rows query of a report for a run at `at` (the period is relative to it). */
export function reportQuery(report: Report, at: Date = new Date()): ReportQuery {
  return {
    resellerId: report.reseller_id,
    filters: report.filters,
    fields: report.fields,
    period: periodCovered(report, at),
    today: todayIso(at),
  };
}

/** *Run* of an on-demand report: its first rows, at once (the CSV has them all). */
export async function previewRows(db: Queryable, report: Report, limit = PREVIEW_ROWS): Promise<ReportRow[]> {
  const rows: ReportRow[] = [];
  for await (const batch of reportRows(db, reportQuery(report), { limit })) rows.push(...batch);
  return rows;
}

export const PREVIEW_ROWS = 100;

/** The form's values for editing a report, as the form posts them. */
export function formValuesOf(report: Report): Record<string, unknown> {
  return {
    name: report.name,
    schedule: report.schedule,
    weekday: report.weekday ?? 1,
    month_day: report.month_day ?? 1,
    period: report.period,
    range_from: report.range_from ?? '',
    range_to: report.range_to ?? '',
    status: report.filters.status ?? '',
    kind: report.filters.kind ?? '',
    reseller_id: report.reseller_id ?? '',
    with_open_invoices: report.filters.withOpenInvoices ?? false,
    with_past_due_invoices: report.filters.withPastDueInvoices ?? false,
    recipients: report.recipients.join(', '),
    fields: report.fields,
    order: report.fields,
    version: report.version,
  };
}
