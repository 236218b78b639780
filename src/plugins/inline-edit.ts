import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FieldErrors, submittedValues } from '../lib/forms.ts';
import { notFound } from '../lib/http-error.ts';
import { idParam } from '../lib/params.ts';

/** A save refused: 422 for a form error, 409 for a stale edit (then `row` is the current one). */
export type Refused<Row> = {
  ok: false;
  status: 409 | 422;
  errors: FieldErrors;
  values: Record<string, string>;
  row?: Row;
};
/** `reload` sends the browser to the list with the notice, for news the row alone cannot tell. */
export type Saved = { ok: true; notice: string; reload?: boolean };

/**
 * One table row edited in place (DESIGN rule 6), at `path` (e.g. `/taxes/rates/:taxRateId`):
 * GET `path` is the display row (Discard), GET `path/edit` the editing row (a page of its own without
 * htmx), PUT (POST for plain forms) saves, DELETE (POST `path/delete`) deletes after the confirmation
 * dialog (GET `path/delete` asks on a page of its own without JavaScript).
 */
export type InlineEdit<Row extends { id: number }> = {
  path: string;
  /** "This tax rate", for the 404 of a missing row. */
  what: string;
  find(id: number): Promise<Row | undefined>;
  /** The page the row sits on: where plain forms go back to. */
  listUrl(row: Row): string;
  templates: { row: string; editRow: string; editPage: string };
  /** The page title of the editing row without htmx ("Edit tax rate"). */
  editTitle: string;
  /** What the row templates need besides `row`, `values` and `errors` (labels, formatters). */
  data: Record<string, unknown>;
  /** The editing row's values as the form shows them, with the row's version. */
  values(row: Row): Record<string, string>;
  save(request: FastifyRequest, row: Row, body: Record<string, string>): Promise<Saved | Refused<Row>>;
  confirm(row: Row): { question: string; detail?: string; yes: string; no: string };
  /** Deletes (`reload` as for a save: the empty row tells nothing). */
  remove(request: FastifyRequest, row: Row): Promise<Omit<Saved, 'ok'>>;
};

export function inlineEditRoutes<Row extends { id: number }>(app: FastifyInstance, spec: InlineEdit<Row>): void {
  const param = spec.path.slice(spec.path.lastIndexOf(':') + 1);
  const rowOr404 = async (request: FastifyRequest) => {
    const row = await spec.find(idParam(request, param, spec.what));
    if (!row) throw notFound(spec.what);
    return row;
  };
  // The row templates ask `it.confirm(row)` for the delete dialog's words, as the confirmation page does.
  const data = { ...spec.data, confirm: spec.confirm, editRow: spec.templates.editRow };
  const editing = (reply: FastifyReply, row: Row, values: Record<string, string>, errors: FieldErrors) =>
    reply.pageOrFragment(
      { page: spec.templates.editPage, fragment: spec.templates.editRow },
      { ...data, title: spec.editTitle, back: spec.listUrl(row), row, values, errors },
    );

  // Discard: the display row again, its pencil focused (where the focus was before the edit).
  app.get(spec.path, async (request, reply) => {
    const row = await rowOr404(request);
    if (!request.isHtmx) return reply.redirect(spec.listUrl(row));
    return reply.page(spec.templates.row, { ...data, row, focus: true });
  });

  app.get(`${spec.path}/edit`, async (request, reply) => {
    const row = await rowOr404(request);
    return editing(reply, row, spec.values(row), {});
  });

  async function update(request: FastifyRequest, reply: FastifyReply) {
    const row = await rowOr404(request);
    const outcome = await spec.save(request, row, submittedValues(request.body));
    if (!outcome.ok) return editing(reply.code(outcome.status), outcome.row ?? row, outcome.values, outcome.errors);
    if (!request.isHtmx || outcome.reload) {
      request.flash(outcome.reload ? 'error' : 'success', outcome.notice);
      return reply.seeOther(spec.listUrl(row));
    }
    return reply.page(spec.templates.row, { ...data, row: await rowOr404(request), focus: true });
  }

  async function remove(request: FastifyRequest, reply: FastifyReply) {
    const row = await rowOr404(request);
    const { notice, reload } = await spec.remove(request, row);
    // htmx swaps the row for this empty answer, which removes it.
    if (request.isHtmx && !reload) return reply.code(200).type('text/html; charset=utf-8').send('');
    request.flash(reload ? 'error' : 'success', notice);
    return reply.seeOther(spec.listUrl(row));
  }

  app.get(`${spec.path}/delete`, async (request, reply) => {
    const row = await rowOr404(request);
    const url = spec.path.replace(`:${param}`, String(row.id));
    return reply.confirmation({ ...spec.confirm(row), action: `${url}/delete`, back: spec.listUrl(row) });
  });

  // htmx uses PUT and DELETE; plain forms, which know only POST, use these resource URLs.
  app.put(spec.path, update);
  app.post(spec.path, update);
  app.delete(spec.path, remove);
  app.post(`${spec.path}/delete`, remove);
}
