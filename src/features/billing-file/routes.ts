import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import { parseForm, submittedValues } from '../../lib/forms.ts';
import { notFound } from '../../lib/http-error.ts';
import { isEnabled, loadSettings } from '../settings/settings.ts';
import { generateInWorker, markFinalInWorker, validateInWorker } from './generation-worker.ts';
import { billingFilePage, fileHistory } from './page.ts';
import type { Period } from './periods.ts';
import { type BillingFileRow, fileParts, findFile } from './queries.ts';
import { fileParams, generateForm, historyQuery, pageQuery } from './schemas.ts';
import type { Validation } from './validation.ts';

const templates = { page: 'billing-file/index', fragment: 'billing-file/_validation' };

/**
 * The External Billing File (A7, F1): admin only, like the finance side of the integration it feeds, and
 * only while the external billing integration is switched on.
 */
export default async function billingFileRoutes(
  app: FastifyInstance,
  { db, database }: { db: Db; database: Config['database'] },
) {
  app.addHook('preHandler', requireStaff('admin'));
  app.addHook('preHandler', async () => {
    if (!isEnabled(await loadSettings(db), 'external_billing_enabled')) throw notFound('This page');
  });

  async function fileOr404(request: FastifyRequest): Promise<BillingFileRow> {
    const params = fileParams.safeParse(request.params);
    const file = params.success ? await findFile(db, params.data.id) : undefined;
    if (!file) throw notFound('This billing file');
    return file;
  }

  // Validation reads every external customer of the period: on the off-loop pool, like generation.
  function pageData(request: FastifyRequest, query: { period: Period; before?: number }, validation?: Validation) {
    const principal = staffOf(request);
    return billingFilePage(db, principal, query, validation, (period) =>
      validateInWorker({ database, principal, period }),
    );
  }

  // A refused generate or Mark final: the page with the validation that refused it.
  async function refused(request: FastifyRequest, reply: FastifyReply, validation: Validation) {
    const data = await pageData(request, { period: validation.period }, validation);
    return reply.code(422).page('billing-file/index', data);
  }

  // The page validates first; *Re-check* (htmx) gets the validation alone.
  app.get('/billing-file', async (request, reply) => {
    return reply.pageOrFragment(templates, await pageData(request, pageQuery.parse(request.query)));
  });

  app.get('/billing-file/history', async (request, reply) => {
    return reply.page('billing-file/history', await fileHistory(db, historyQuery.parse(request.query)));
  });

  app.post('/billing-file/generate', async (request, reply) => {
    const body = submittedValues(request.body);
    const form = parseForm(generateForm, body);
    if (!form.ok) {
      const data = await pageData(request, pageQuery.parse({}));
      return reply
        .code(422)
        .page('billing-file/index', { ...data, typedPeriod: body.period ?? '', periodError: form.errors.period });
    }
    const staff = staffOf(request);
    const outcome = await generateInWorker({
      database,
      principal: staff,
      period: form.data.period,
      actor: actorOf(staff),
    });
    if (!outcome.ok) return refused(request, reply, outcome.validation);
    request.flash('success', 'Billing file generated. Download it to check it, then mark it final.');
    return reply.seeOther(`/billing-file?period=${form.data.period}#file-${outcome.fileId}`);
  });

  app.get('/billing-file/files/:id/download', async (request, reply) => {
    const file = await fileOr404(request);
    const name = `billing-file-${file.period}-${file.status}-${file.id}.csv`;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('content-length', file.byte_size)
      .send(Readable.from(fileParts(db, file.id)));
  });

  // Without JavaScript, *Mark final* opens this page to confirm.
  app.get('/billing-file/files/:id/final', async (request, reply) => {
    return reply.page('billing-file/final', { title: 'Mark final', file: await fileOr404(request) });
  });

  app.post('/billing-file/files/:id/final', async (request, reply) => {
    const file = await fileOr404(request);
    const staff = staffOf(request);
    const outcome = await markFinalInWorker({ database, principal: staff, fileId: file.id, actor: actorOf(staff) });
    if (!outcome.ok) return refused(request, reply, outcome.validation);
    request.flash('success', `The billing file for ${file.period} is final.`);
    // No #file-… here: htmx's redirect to the same page with only a new fragment would not reload it.
    return reply.seeOther(`/billing-file?period=${file.period}`);
  });
}
