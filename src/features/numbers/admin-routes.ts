import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import { type FieldErrors, parseForm, submittedValues } from '../../lib/forms.ts';
import { notFound } from '../../lib/http-error.ts';
import { StaleEditError } from '../audit/audit.ts';
import { gradeLabels, grades } from './grades.ts';
import {
  findInventoryNumber,
  type InventoryRow,
  importNumbers,
  listInventory,
  numberStatuses,
  parseInventoryCsv,
  updateInventoryNumber,
} from './inventory.ts';

const MAX_CSV_BYTES = 5 * 1024 * 1024;

const listQuery = z.object({
  digits: z
    .string()
    .trim()
    .regex(/^\d{1,15}$/)
    .catch('')
    .default('')
    .transform((v) => v || null),
  grade: z.enum(grades).nullable().catch(null).default(null),
  status: z.enum(numberStatuses).nullable().catch(null).default(null),
  after: z
    .string()
    .regex(/^\d{1,15}$/)
    .nullable()
    .catch(null)
    .default(null),
});
const idParams = z.object({ id: z.coerce.number().int().positive() });
const numberForm = z.object({
  grade: z.enum(grades, { error: 'Choose a grade.' }),
  // Only a free number can be withdrawn or brought back; reserved and assigned ones change through the wizard.
  status: z.enum(['available', 'withdrawn'], { error: 'Choose available or withdrawn.' }),
  pool: z.string().trim().toUpperCase().max(20).default(''),
  version: z.coerce.number().int().positive(),
});

/** The phone number inventory (C3's supply): list, edit one number, import a CSV. Admins only. */
export default async function numberAdminRoutes(app: FastifyInstance, { db }: { db: Db }) {
  // onRequest: the wrong principal is refused before an upload's body is read.
  app.addHook('onRequest', requireStaff('admin'));
  // The CSRF token of an upload is checked before its body is read (plugins/session.ts).
  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: MAX_CSV_BYTES, files: 1, fields: 5 },
  });

  app.get('/admin/numbers', async (request, reply) => {
    const filters = listQuery.parse(request.query);
    const page = await listInventory(db, filters);
    const query = new URLSearchParams(
      Object.entries({ digits: filters.digits, grade: filters.grade, status: filters.status }).filter(([, v]) => v) as [
        string,
        string,
      ][],
    );
    return reply.page('catalogue/numbers', {
      title: 'Number Inventory',
      section: 'numbers',
      filters,
      page,
      query: query.toString(),
      grades,
      gradeLabels,
      statuses: numberStatuses,
    });
  });

  async function numberIn(request: FastifyRequest) {
    const params = idParams.safeParse(request.params);
    const row = params.success ? await findInventoryNumber(db, params.data.id) : undefined;
    if (!row) throw notFound('This number');
    return row;
  }

  const editPage = (
    reply: FastifyReply,
    row: InventoryRow,
    values: Record<string, unknown>,
    errors: FieldErrors,
    message?: string,
  ) =>
    reply.page('catalogue/number-edit', {
      title: row.number,
      section: 'numbers',
      row,
      values,
      errors,
      message,
      grades,
      gradeLabels,
    });

  app.get('/admin/numbers/:id/edit', async (request, reply) => {
    const row = await numberIn(request);
    const pool = row.pool_account_number ?? '';
    return editPage(reply, row, { grade: row.grade, status: row.status, pool, version: String(row.version) }, {});
  });

  app.post('/admin/numbers/:id', async (request, reply) => {
    const row = await numberIn(request);
    const body = submittedValues(request.body);
    const form = parseForm(numberForm, body);
    if (!form.ok) return editPage(reply.code(422), row, body, form.errors);
    try {
      const errors = await updateInventoryNumber(db, actorOf(staffOf(request)), row, form.data);
      if (errors) return editPage(reply.code(422), row, body, errors);
    } catch (error) {
      if (!(error instanceof StaleEditError)) throw error;
      const current = await numberIn(request);
      return editPage(reply.code(409), current, { ...body, version: String(current.version) }, {}, error.message);
    }
    request.flash('success', `${row.number} saved.`);
    return reply.seeOther(`/admin/numbers?digits=${row.number}`);
  });

  const importPage = (reply: FastifyReply, data: Record<string, unknown> = {}) =>
    reply.page('catalogue/numbers-import', { title: 'Import numbers', section: 'numbers', problems: [], ...data });

  app.get('/admin/numbers/import', async (_request, reply) => importPage(reply));

  app.post('/admin/numbers/import', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const file = body.file;
    const text = Buffer.isBuffer(file) ? file.toString('utf8') : typeof file === 'string' ? file : '';
    if (!text.trim()) return importPage(reply.code(422), { error: 'Choose a CSV file with one number per line.' });
    const { rows, problems } = await parseInventoryCsv(db, text);
    if (problems.length) {
      return importPage(reply.code(422), {
        error: `Nothing was imported: ${problems.length === 1 ? 'one line needs' : `${problems.length} lines need`} fixing.`,
        problems: problems.slice(0, 200),
        more: Math.max(0, problems.length - 200),
      });
    }
    const { added, existing } = await importNumbers(db, rows);
    request.flash(
      'success',
      `${added.toLocaleString('en-US')} numbers imported${existing ? `; ${existing.toLocaleString('en-US')} were already in the inventory and were left as they are` : ''}.`,
    );
    return reply.seeOther('/admin/numbers');
  });
}
