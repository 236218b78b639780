import { randomUUID } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import { type FieldErrors, parseForm, submittedValues } from '../../lib/forms.ts';
import { notFound } from '../../lib/http-error.ts';
import { beforeQuery } from '../../lib/keyset.ts';
import { StaleEditError } from '../audit/audit.ts';
import { exportOffLoop } from './export.ts';
import { moneyFields } from './field-sql.ts';
import { type FieldKey, fieldLabel, isFieldKey, moveField, orderedFieldKeys } from './fields.ts';
import { findReportFor, findRun, listReports, listRuns, reportPeople, resellerOptions } from './queries.ts';
import {
  createReport,
  deleteReport,
  formValuesOf,
  newReportValues,
  PREVIEW_ROWS,
  previewRows,
  type Report,
  reportQuery,
  updateReport,
} from './reports.ts';
import { retryRun, runFileChunks, runFileName } from './runs.ts';
import { describeSchedule, weekdays } from './schedule.ts';
import { deleteForm, moveCommand, reportForm, reportParams, runParams } from './schemas.ts';

const asList = (value: unknown): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];

function attachment(reply: FastifyReply, filename: string): FastifyReply {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`);
}

/** Custom Reports (B5): resellers over their own customers, admins over any reseller's or all. */
export default async function reportRoutes(
  app: FastifyInstance,
  { db, database }: { db: Db; database: Config['database'] },
) {
  app.addHook('preHandler', requireStaff('admin', 'reseller'));

  async function reportOr404(request: FastifyRequest): Promise<Report> {
    const params = reportParams.safeParse(request.params);
    const report = params.success ? await findReportFor(db, staffOf(request), params.data.id) : undefined;
    if (!report) throw notFound('This report');
    return report;
  }

  /** The form's data: the fields in their (possibly moved) order with their checkboxes, and the choices. */
  async function formPage(
    request: FastifyRequest,
    values: Record<string, unknown>,
    errors: FieldErrors,
    report?: Report,
  ) {
    const checked = new Set(asList(values.fields));
    const order = orderedFieldKeys(asList(values.order));
    return {
      title: report ? `Edit ${report.name}` : 'Add New Report',
      report: report ?? null,
      values,
      errors,
      fields: order.map((key) => ({ key, label: fieldLabel(key), checked: checked.has(key) })),
      weekdays,
      resellers: staffOf(request).role === 'admin' ? await resellerOptions(db) : null,
    };
  }

  /** Up/down without JavaScript: the form comes back with the field moved and nothing saved. */
  function movedValues(body: Record<string, unknown>): Record<string, unknown> | null {
    const command = moveCommand.safeParse(body);
    if (!command.success || !isFieldKey(command.data.move.key)) return null;
    const order = orderedFieldKeys(asList(body.order));
    return { ...body, order: moveField(order, command.data.move.key as FieldKey, command.data.move.direction) };
  }

  app.get('/reports', async (request, reply) => {
    const { before } = beforeQuery.parse(request.query);
    const page = await listReports(db, staffOf(request), before);
    return reply.page('reports/index', { title: 'Custom Reports', ...page, describeSchedule });
  });

  app.get('/reports/new', async (request, reply) => {
    return reply.page('reports/form', await formPage(request, newReportValues(), {}));
  });

  app.post('/reports/new', async (request, reply) => {
    const body = submittedValues(request.body);
    const moved = movedValues(body);
    if (moved) return reply.page('reports/form', await formPage(request, moved, {}));
    const form = parseForm(reportForm, body);
    if (!form.ok) return reply.code(422).page('reports/form', await formPage(request, body, form.errors));
    const user = staffOf(request);
    const id = await createReport(db, form.data, user, actorOf(user));
    request.flash('success', `Report “${form.data.name}” created.`);
    return reply.seeOther(`/reports/${id}`);
  });

  app.get('/reports/:id', async (request, reply) => {
    const report = await reportOr404(request);
    const { before } = beforeQuery.parse(request.query);
    return reply.page('reports/show', {
      title: report.name,
      report,
      people: await reportPeople(db, report),
      runs: await listRuns(db, report.id, before),
      fieldLabel,
      describeSchedule,
    });
  });

  app.get('/reports/:id/edit', async (request, reply) => {
    const report = await reportOr404(request);
    return reply.page('reports/form', await formPage(request, formValuesOf(report), {}, report));
  });

  app.post('/reports/:id/edit', async (request, reply) => {
    const report = await reportOr404(request);
    const body = submittedValues(request.body);
    const moved = movedValues(body);
    if (moved) return reply.page('reports/form', await formPage(request, moved, {}, report));
    const form = parseForm(reportForm, body);
    if (!form.ok) return reply.code(422).page('reports/form', await formPage(request, body, form.errors, report));
    const user = staffOf(request);
    try {
      await updateReport(db, report.id, form.data, user, actorOf(user));
    } catch (error) {
      if (!(error instanceof StaleEditError)) throw error;
      const errors = { _form: 'Someone else changed this report after you opened it. Their version is shown.' };
      const current = await reportOr404(request);
      return reply.code(409).page('reports/form', await formPage(request, formValuesOf(current), errors, current));
    }
    request.flash('success', 'Report saved.');
    return reply.seeOther(`/reports/${report.id}`);
  });

  // Delete: with JavaScript the <dialog> has asked; without it the form says `ask` and gets the confirmation page.
  app.post('/reports/:id/delete', async (request, reply) => {
    const report = await reportOr404(request);
    if (deleteForm.parse(request.body ?? {}).ask)
      return reply.page('reports/delete', { title: `Delete ${report.name}`, report });
    await deleteReport(db, report.id, actorOf(staffOf(request)));
    request.flash('success', `Report “${report.name}” deleted.`);
    return reply.seeOther('/reports');
  });

  app.get('/reports/:id/run', async (request, reply) => {
    const report = await reportOr404(request);
    return reply.page('reports/run', {
      title: report.name,
      report,
      columns: report.fields.map((key) => ({ key, label: fieldLabel(key) })),
      rows: await previewRows(db, report),
      previewRows: PREVIEW_ROWS,
      moneyKeys: moneyFields,
    });
  });

  // The worker writes the CSV to a scratch file and the response streams that file, as a periodic run's
  // kept file is streamed: simpler than passing chunks between threads with backpressure of our own, and
  // memory stays bounded on both sides. The file is unlinked once open, so nothing is left behind.
  app.get('/reports/:id/csv', async (request, reply) => {
    const report = await reportOr404(request);
    const file = join(tmpdir(), `ledgerdesk-report-${randomUUID()}.csv`);
    try {
      await exportOffLoop({ database, query: reportQuery(report), into: { file } });
      const handle = await open(file);
      return attachment(reply, runFileName(report, { due_at: new Date().toISOString() })).send(
        handle.createReadStream(),
      );
    } finally {
      await rm(file, { force: true });
    }
  });

  app.get('/reports/:id/runs/:runId/download', async (request, reply) => {
    const report = await reportOr404(request);
    const params = runParams.safeParse(request.params);
    const run = params.success ? await findRun(db, report.id, params.data.runId) : undefined;
    if (run?.status !== 'done') throw notFound('This file');
    return attachment(reply, runFileName(report, run)).send(Readable.from(runFileChunks(db, run.id)));
  });

  app.post('/reports/:id/runs/:runId/retry', async (request, reply) => {
    const report = await reportOr404(request);
    const params = runParams.safeParse(request.params);
    const run = params.success ? await findRun(db, report.id, params.data.runId) : undefined;
    if (!run) throw notFound('This run');
    const retried = await retryRun(db, run.id, actorOf(staffOf(request)));
    request.flash(
      retried ? 'success' : 'error',
      retried ? 'The run is queued again.' : 'Only a failed run can be retried.',
    );
    return reply.seeOther(`/reports/${report.id}`);
  });
}
