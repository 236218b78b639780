import type { FastifyInstance } from 'fastify';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import { parseForm, submittedValues } from '../../lib/forms.ts';
import { notFound } from '../../lib/http-error.ts';
import { idParam } from '../../lib/params.ts';
import { startBillRun } from './bill-run.ts';
import { findBillRun, invoicesOfRun, problemsOfRun, recentBillRuns } from './queries.ts';
import { billRunQuery, commitForm, previewQuery } from './schemas.ts';
import { commitInWorker, previewInWorker } from './worker.ts';

/** The bill run (D6, F1): admin only. Preview and commit run on the worker pool, never on a request's loop. */
export default async function billRunRoutes(
  app: FastifyInstance,
  { db, database }: { db: Db; database: Config['database'] },
) {
  app.addHook('preHandler', requireStaff('admin'));

  app.get('/bill-run', async (request, reply) => {
    const { period } = billRunQuery.parse(request.query);
    return reply.page('bill-run/index', {
      title: 'Bill Run',
      section: 'bill-run',
      period,
      runs: await recentBillRuns(db),
      errors: {},
    });
  });

  app.get('/bill-run/preview', async (request, reply) => {
    const query = parseForm(previewQuery, request.query);
    if (!query.ok) {
      const typed = submittedValues(request.query).period ?? '';
      return reply.code(422).page('bill-run/index', {
        title: 'Bill Run',
        section: 'bill-run',
        period: typed,
        runs: await recentBillRuns(db),
        errors: query.errors,
      });
    }
    const preview = await previewInWorker(database, query.data.period);
    return reply.page('bill-run/preview', {
      title: `Bill run preview ${preview.period}`,
      section: 'bill-run',
      preview,
    });
  });

  app.post('/bill-run/runs', async (request, reply) => {
    const form = parseForm(commitForm, request.body);
    if (!form.ok) {
      return reply.code(422).page('bill-run/index', {
        title: 'Bill Run',
        section: 'bill-run',
        period: submittedValues(request.body).period ?? '',
        runs: await recentBillRuns(db),
        errors: form.errors,
      });
    }
    const runId = await startBillRun(db, form.data.period, actorOf(staffOf(request)));
    // Not awaited: the run writes its progress (and a failure) to its row, which the run's page polls.
    commitInWorker(database, runId).catch((error) => request.log.error({ err: error, runId }, 'bill run failed'));
    return reply.seeOther(`/bill-run/runs/${runId}`);
  });

  app.get('/bill-run/runs/:runId', async (request, reply) => {
    const run = await findBillRun(db, idParam(request, 'runId', 'This bill run'));
    if (!run) throw notFound('This bill run');
    const [problems, invoices] =
      run.status === 'running' ? [[], []] : await Promise.all([problemsOfRun(db, run.id), invoicesOfRun(db, run.id)]);
    return reply.pageOrFragment(
      { page: 'bill-run/run', fragment: 'bill-run/_progress' },
      { title: `Bill run ${run.period}`, section: 'bill-run', run, problems, invoices },
    );
  });
}
