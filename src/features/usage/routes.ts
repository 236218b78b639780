import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import { type FieldErrors, parseForm, submittedValues } from '../../lib/forms.ts';
import { notFound } from '../../lib/http-error.ts';
import { beforeQuery } from '../../lib/keyset.ts';
import { idParam } from '../../lib/params.ts';
import { countOf } from '../../lib/words.ts';
import { inlineEditRoutes } from '../../plugins/inline-edit.ts';
import { billingContext } from '../ledger/staff/context.ts';
import { importInWorker } from './import-worker.ts';
import {
  type EditableUsageRate,
  findImport,
  findUsageRate,
  priceListsForRates,
  recentImports,
  unbilledCdrs,
  unbilledSummary,
  usageRatesOf,
} from './queries.ts';
import { deleteUsageRate, updateUsageRate } from './rate-edits.ts';
import { addUsageRate, type Rerated } from './rates.ts';
import { CDR_COLUMNS, ratesQuery, usageRateEditForm, usageRateForm } from './schemas.ts';

const MAX_FILE_BYTES = 512 * 1024 * 1024;
const admin = { preHandler: requireStaff('admin') };

const rateColumns = ['Prefix', 'Per minute', 'Minimum (s)', 'Increment (s)'];

/** "0.012" from 1200 millicents a minute (five decimals, at least two kept). */
const perMinuteDollars = (millicents: number) => (millicents / 100_000).toFixed(5).replace(/0{1,3}$/, '');

const rateValues = (r: EditableUsageRate) => ({
  prefix: r.prefix,
  per_minute: perMinuteDollars(r.per_minute_millicents),
  minimum_seconds: String(r.minimum_seconds),
  increment_seconds: String(r.increment_seconds),
  version: String(r.version),
});

/** The delete dialog's words (and the confirmation page's without JavaScript). */
const rateConfirm = (r: EditableUsageRate) => ({
  question: `Delete the usage rate for ${r.prefix}?`,
  detail:
    'Its unbilled calls are priced again by the next longest prefix; calls no rate covers are left unrated and the bill run’s preview lists them. Billed calls keep their price.',
  yes: 'Delete rate',
  no: 'Keep rate',
});

/** What re-rating did, in words; calls left without a rate are news the admin must see (the page, not the row). */
const reratedNotice = (done: string, { rerated, unrated }: Rerated) => ({
  notice:
    `${done}; ${countOf(rerated, 'unbilled call')} priced again` +
    (unrated ? `, ${countOf(unrated, 'unbilled call')} without a rate: the bill run’s preview lists them.` : '.'),
  reload: unrated > 0,
});

/**
 * Call records (D4 *Unbilled CDRs*): importing files (admin), usage rates per price list (admin), and a
 * customer's unbilled calls (any staff who may see the customer).
 */
export default async function usageRoutes(
  app: FastifyInstance,
  { db, database }: { db: Db; database: Config['database'] },
) {
  // The file is streamed into the import, never buffered: its CSRF token comes in the form's URL and the
  // session plugin checks it before the body is read (uploads are checked in preParsing).
  await app.register(fastifyMultipart, { limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 5, parts: 6 } });

  const importsPage = async (reply: FastifyReply, before: number | undefined, errors: FieldErrors = {}) =>
    reply.page('usage/index', {
      title: 'Call Records',
      section: 'usage',
      imports: await recentImports(db, before),
      columns: CDR_COLUMNS,
      errors,
    });

  app.get('/usage', admin, async (request, reply) => importsPage(reply, beforeQuery.parse(request.query).before));

  app.post('/usage/imports', admin, async (request, reply) => {
    const file = request.isMultipart() ? await request.file() : undefined;
    if (!file?.filename) return importsPage(reply.code(422), undefined, { file: 'Choose a CSV file of call records.' });
    // The upload is streamed to a scratch file, then imported on the worker pool (pages meanwhile go on).
    const dir = await mkdtemp(join(tmpdir(), 'ledgerdesk-cdrs-'));
    try {
      const path = join(dir, 'upload.csv');
      await pipeline(file.file, createWriteStream(path));
      if (file.file.truncated) {
        return importsPage(reply.code(422), undefined, {
          file: 'The file is larger than 512 MB: split it and import the parts.',
        });
      }
      const outcome = await importInWorker({ database, path, filename: file.filename, userId: staffOf(request).id });
      request.flash(
        outcome.badRows > 0 ? 'error' : 'success',
        `${countOf(outcome.imported, 'call')} imported, ${outcome.duplicates} already there, ${countOf(outcome.badRows, 'bad row')}.`,
      );
      return reply.seeOther(`/usage/imports/${outcome.importId}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  app.get('/usage/imports/:importId', admin, async (request, reply) => {
    const found = await findImport(db, idParam(request, 'importId', 'This import'));
    if (!found) throw notFound('This import');
    return reply.page('usage/import', { title: `Import ${found.filename}`, section: 'usage', imported: found });
  });

  const ratesPage = async (
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors: FieldErrors = {},
    after?: string,
  ) => {
    const lists = await priceListsForRates(db);
    const listId = Number(values.price_list_id) || lists[0]?.id;
    const { rows, more } = listId ? await usageRatesOf(db, listId, after) : { rows: [], more: false };
    return reply.page('usage/rates', {
      title: 'Usage Rates',
      section: 'rates',
      lists,
      list: lists.find((l) => l.id === listId),
      rates: rows,
      more,
      after,
      columns: rateColumns,
      confirm: rateConfirm,
      dollars: perMinuteDollars,
      values: { minimum_seconds: '60', increment_seconds: '6', ...values, price_list_id: listId },
      errors,
    });
  };

  app.get('/usage/rates', admin, async (request, reply) => {
    const query = ratesQuery.parse(request.query);
    return ratesPage(reply, { price_list_id: query.price_list, prefix: query.prefix ?? '' }, {}, query.after);
  });

  app.post('/usage/rates', admin, async (request, reply) => {
    const body = submittedValues(request.body);
    const form = parseForm(usageRateForm, body);
    const outcome = form.ok ? await addUsageRate(db, form.data) : form;
    if (!outcome.ok) return ratesPage(reply.code(422), body, outcome.errors);
    request.flash('success', `Rate for ${body.prefix} added; unbilled calls to it are rated.`);
    return reply.seeOther(`/usage/rates?price_list=${body.price_list_id}`);
  });

  // Editing or deleting a rate prices its unbilled calls again; billed calls keep the price on their invoice.
  app.register(async (rates) => {
    rates.addHook('preHandler', requireStaff('admin'));
    inlineEditRoutes<EditableUsageRate>(rates, {
      path: '/usage/rates/:usageRateId',
      what: 'This usage rate',
      find: (id) => findUsageRate(db, id),
      listUrl: (r) => `/usage/rates?price_list=${r.price_list_id}`,
      templates: { row: 'usage/_rate_row', editRow: 'usage/_rate_edit_row', editPage: 'bill-run/edit-row' },
      editTitle: 'Edit usage rate',
      data: { section: 'rates', columns: rateColumns, dollars: perMinuteDollars },
      values: rateValues,
      async save(request, rate, body) {
        const form = parseForm(usageRateEditForm, body);
        const saved = form.ok ? await updateUsageRate(db, rate, form.data, actorOf(staffOf(request))) : form;
        if (saved.ok) return { ok: true, ...reratedNotice(`Rate for ${body.prefix} saved`, saved) };
        if ('errors' in saved) return { ok: false, status: 422, errors: saved.errors, values: body };
        const current = saved.stale as EditableUsageRate;
        return { ok: false, status: 409, errors: { prefix: saved.message }, values: rateValues(current), row: current };
      },
      confirm: rateConfirm,
      async remove(request, rate) {
        const outcome = await deleteUsageRate(db, rate, actorOf(staffOf(request)));
        return reratedNotice(`Rate for ${rate.prefix} deleted`, outcome);
      },
    });
  });

  app.get(
    '/customers/:id/billing/unbilled-cdrs',
    { preHandler: requireStaff('admin', 'support', 'reseller') },
    async (request, reply) => {
      const ctx = await billingContext(db, request);
      const { before } = beforeQuery.parse(request.query);
      const [calls, summary] = await Promise.all([
        unbilledCdrs(db, ctx.customer.id, before),
        unbilledSummary(db, ctx.customer.id),
      ]);
      return reply.page('usage/unbilled', {
        title: `Unbilled CDRs · ${ctx.customer.name}`,
        ...ctx,
        section: 'unbilled-cdrs',
        calls,
        summary,
      });
    },
  );
}
