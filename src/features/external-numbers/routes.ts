import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import { type FieldErrors, parseForm, submittedValues } from '../../lib/forms.ts';
import { notFound } from '../../lib/http-error.ts';
import { StaleEditError } from '../audit/audit.ts';
import type { OrgKind } from '../institutions/kinds.ts';
import { duplicateNameCount, findOrg, findOrgs, type OrgRow } from '../institutions/queries.ts';
import { isEnabled, loadSettings } from '../settings/settings.ts';
import { createExternalNumber, deleteExternalNumber, updateExternalNumber } from './external-numbers.ts';
import { type EntryRow, findEntry, listEntries } from './queries.ts';
import { createForm, entryParams, listQuery, newQuery, searchQuery, updateForm } from './schemas.ts';

/** The type-ahead starts at this many characters; fewer show a hint and run no query. */
const MIN_SEARCH_LENGTH = 2;
const SEARCH_LIMIT = 15;

type Picker = {
  kind: OrgKind;
  q: string;
  results: OrgRow[];
  selected: OrgRow | null;
  values: Record<string, string>;
  errors: FieldErrors;
};

async function picker(
  db: Db,
  kind: OrgKind,
  q: string,
  selectedId?: number,
  extra: Partial<Picker> = {},
): Promise<Picker> {
  const selected = selectedId ? ((await findOrg(db, kind, selectedId)) ?? null) : null;
  const results =
    !selected && q.length >= MIN_SEARCH_LENGTH ? await findOrgs(db, kind, { term: q, limit: SEARCH_LIMIT }) : [];
  return { kind, q, results, selected, values: {}, errors: {}, ...extra };
}

/** One section of the page; `open` starts it at an entry in edit mode or with the add dialog on a record. */
async function section(
  db: Db,
  kind: OrgKind,
  afterId: number | null,
  notice?: string,
  open: { editId?: number; pickId?: number; focusId?: number } = {},
) {
  const entries = await listEntries(db, kind, open.editId ?? afterId, open.editId !== undefined);
  const chosen = await picker(db, kind, '', open.pickId);
  return { kind, ...entries, afterId: open.editId ?? afterId, picker: chosen, notice, ...open };
}

function entryId(request: FastifyRequest): number {
  const params = entryParams.safeParse(request.params);
  if (!params.success) throw notFound('This customer number');
  return params.data.id;
}

async function entryOr404(db: Db, id: number): Promise<EntryRow> {
  const entry = await findEntry(db, id);
  if (!entry) throw notFound('This customer number');
  return entry;
}

const editTemplates = { page: 'external-numbers/edit', fragment: 'external-numbers/_edit_row' };

/**
 * External Customer Numbers (A1–A6): admin and support, and only while the external billing
 * integration is switched on (otherwise the pages do not exist: 404).
 */
export default async function externalNumberRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support'));
  app.addHook('preHandler', async () => {
    if (!isEnabled(await loadSettings(db), 'external_billing_enabled')) throw notFound('This page');
  });

  app.get('/external-numbers', async (request, reply) => {
    const query = listQuery.parse(request.query);
    const duplicates = (await duplicateNameCount(db, 'institution')) + (await duplicateNameCount(db, 'group'));
    const editing = query.edit ? await findEntry(db, query.edit) : undefined;
    const openFor = (kind: OrgKind) => ({
      editId: editing?.kind === kind ? editing.id : undefined,
      pickId: query.add === kind ? query.org : undefined,
    });
    return reply.page('external-numbers/index', {
      title: 'External Customer Numbers',
      sections: [
        await section(db, 'institution', query.institutions_after ?? null, undefined, openFor('institution')),
        await section(db, 'group', query.groups_after ?? null, undefined, openFor('group')),
      ],
      duplicates,
    });
  });

  // The pop-up's content; without JavaScript, a page of its own.
  app.get('/external-numbers/new', async (request, reply) => {
    const { kind, q, id } = newQuery.parse(request.query);
    const data = await picker(db, kind, q, id);
    return reply.pageOrFragment(
      { page: 'external-numbers/new', fragment: 'external-numbers/_picker' },
      { title: 'Add a customer number', picker: data },
    );
  });

  // The type-ahead: htmx gets the result list alone.
  app.get('/external-numbers/search', async (request, reply) => {
    const { kind, q } = searchQuery.parse(request.query);
    const data = await picker(db, kind, q);
    return reply.pageOrFragment(
      { page: 'external-numbers/new', fragment: 'external-numbers/_results' },
      { title: 'Add a customer number', picker: data, ...data },
    );
  });

  app.post('/external-numbers', async (request, reply) => {
    const body = submittedValues(request.body);
    const { kind } = searchQuery.parse(body);
    const form = parseForm(createForm, body);
    const outcome = form.ok
      ? await createExternalNumber(
          db,
          { kind: form.data.kind, orgId: form.data.org_id, number: form.data.number },
          actorOf(staffOf(request)),
        )
      : form;
    if (!outcome.ok) {
      const data = await picker(db, kind, '', Number(body.org_id) || undefined, {
        values: { number: String(body.number ?? '') },
        errors: outcome.errors,
      });
      return reply
        .code(422)
        .pageOrFragment(
          { page: 'external-numbers/new', fragment: 'external-numbers/_picker' },
          { title: 'Add a customer number', picker: data },
        );
    }
    const entry = await entryOr404(db, outcome.value);
    const notice = `Customer number ${entry.number} added for ${entry.name}.`;
    if (!request.isHtmx) {
      request.flash('success', notice);
      return reply.seeOther('/external-numbers');
    }
    // The pop-up lives in the section: replacing the section shows the new row in order and closes it.
    reply.header('HX-Retarget', `#${kind}-section`).header('HX-Reswap', 'outerHTML');
    // The new row takes the focus the closed pop-up had (its pencil), so keyboard users stay in place.
    return reply.page('external-numbers/_section', {
      section: await section(db, kind, null, notice, { focusId: entry.id }),
    });
  });

  // Discard in an inline edit: the display row again.
  app.get('/external-numbers/:id', async (request, reply) => {
    const entry = await entryOr404(db, entryId(request));
    if (!request.isHtmx) return reply.redirect('/external-numbers');
    // Focus goes back to the row's pencil, where it was before the edit (not to the page body).
    return reply.page('external-numbers/_row', { entry, focus: true });
  });

  app.get('/external-numbers/:id/edit', async (request, reply) => {
    const entry = await entryOr404(db, entryId(request));
    return reply.pageOrFragment(editTemplates, {
      title: 'Edit customer number',
      entry,
      values: { number: entry.number, version: String(entry.version) },
      errors: {},
    });
  });

  async function update(request: FastifyRequest, reply: FastifyReply) {
    const entry = await entryOr404(db, entryId(request));
    const body = submittedValues(request.body);
    const form = parseForm(updateForm, body);
    if (!form.ok) {
      const values = { number: String(body.number ?? ''), version: String(body.version ?? entry.version) };
      return reply
        .code(422)
        .pageOrFragment(editTemplates, { title: 'Edit customer number', entry, values, errors: form.errors });
    }
    try {
      await updateExternalNumber(db, entry.id, form.data, actorOf(staffOf(request)));
    } catch (error) {
      if (!(error instanceof StaleEditError)) throw error;
      // Show their value with its version, so saving again is a deliberate overwrite.
      const current = await entryOr404(db, entry.id);
      const message = `Someone else changed this number to “${current.number}” after you opened it, so “${form.data.number}” was not saved. Save again to replace it, or discard.`;
      return reply.code(409).pageOrFragment(editTemplates, {
        title: 'Edit customer number',
        entry: current,
        values: { number: current.number, version: String(current.version) },
        errors: { number: message },
      });
    }
    if (!request.isHtmx) {
      request.flash('success', `Customer number for ${entry.name} saved.`);
      return reply.seeOther('/external-numbers');
    }
    return reply.page('external-numbers/_row', { entry: await entryOr404(db, entry.id), focus: true });
  }

  async function remove(request: FastifyRequest, reply: FastifyReply) {
    const entry = await entryOr404(db, entryId(request));
    await deleteExternalNumber(db, entry.id, actorOf(staffOf(request)));
    // htmx swaps the row for this empty answer, which removes it.
    if (request.isHtmx) return reply.code(200).type('text/html; charset=utf-8').send('');
    request.flash('success', `Customer number ${entry.number} of ${entry.name} deleted.`);
    return reply.seeOther('/external-numbers');
  }

  // Without JavaScript the trash can leads here, to confirm the delete.
  app.get('/external-numbers/:id/delete', async (request, reply) => {
    return reply.page('external-numbers/delete', {
      title: 'Delete customer number',
      entry: await entryOr404(db, entryId(request)),
    });
  });

  // htmx uses PUT and DELETE; plain forms, which know only POST, use these resource URLs.
  app.put('/external-numbers/:id', update);
  app.post('/external-numbers/:id', update);
  app.delete('/external-numbers/:id', remove);
  app.post('/external-numbers/:id/delete', remove);
}
