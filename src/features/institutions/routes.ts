import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import { asksForConfirmation, type FieldErrors, parseForm, submittedValues } from '../../lib/forms.ts';
import { notFound } from '../../lib/http-error.ts';
import { StaleEditError } from '../audit/audit.ts';
import { actionLabel } from '../audit/labels.ts';
import { externalNumberHistory } from '../audit/queries.ts';
import { createOrg, mergeOrg, renameOrg, setBillsExternally } from './institutions.ts';
import { kindInfo, orgKinds } from './kinds.ts';
import {
  findOrg,
  findOrgs,
  MEMBERS_LISTED,
  memberCounts,
  type OrgRow,
  orgCursor,
  orgMembers,
  possibleDuplicates,
  sameNameAs,
} from './queries.ts';
import {
  billingForm,
  createForm,
  listQuery,
  mergeForm,
  newQuery,
  orgParams,
  renameForm,
  showQuery,
} from './schemas.ts';

const PAGE_SIZE = 50;

/** Institutions and groups, for admin and support: list and search, add, rename, merge duplicates. */
export default async function institutionRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support'));

  app.get('/institutions/duplicates', async (_request, reply) => {
    return reply.page('institutions/duplicates', {
      title: 'Possible duplicates',
      institutions: await possibleDuplicates(db, 'institution'),
      groups: await possibleDuplicates(db, 'group'),
    });
  });

  for (const kind of orgKinds) {
    const info = kindInfo[kind];

    async function orgOr404(request: FastifyRequest): Promise<OrgRow> {
      const params = orgParams.safeParse(request.params);
      const org = params.success ? await findOrg(db, kind, params.data.id) : undefined;
      if (!org) throw notFound(`This ${info.label}`);
      return org;
    }

    async function showData(
      request: FastifyRequest,
      org: OrgRow,
      form: { values?: Record<string, string>; errors?: FieldErrors } = {},
    ) {
      const { merge_q: mergeQ } = showQuery.parse(request.query);
      const searched = mergeQ.length >= 2 ? await findOrgs(db, kind, { term: mergeQ, limit: 10 }) : [];
      return {
        title: org.name,
        kind,
        info,
        org,
        counts: await memberCounts(db, kind, org.id),
        members: await orgMembers(db, kind, org.id),
        membersListed: MEMBERS_LISTED,
        groups: kind === 'institution' ? await findOrgs(db, 'group', { institutionId: org.id, limit: PAGE_SIZE }) : [],
        duplicates: await sameNameAs(db, kind, { nameKey: org.name_key, institutionId: org.institution_id }, org.id),
        numberHistory: await externalNumberHistory(db, { column: info.column, id: org.id }),
        actionLabel,
        mergeQ,
        mergeResults: searched.filter((row) => row.id !== org.id),
        values: form.values ?? { name: org.name, version: String(org.version) },
        errors: form.errors ?? {},
      };
    }

    app.get(info.path, async (request, reply) => {
      const { q, after } = listQuery.parse(request.query);
      const rows = await findOrgs(db, kind, {
        term: q || undefined,
        after: after ? await orgCursor(db, kind, after) : null,
        limit: PAGE_SIZE + 1,
      });
      return reply.page('institutions/index', {
        title: info.titlePlural,
        kind,
        info,
        q,
        rows: rows.slice(0, PAGE_SIZE),
        nextAfter: rows.length > PAGE_SIZE ? rows[PAGE_SIZE - 1].id : null,
      });
    });

    async function newPage(institutionId: number | undefined, values: Record<string, string>, errors: FieldErrors) {
      const institution = institutionId ? await findOrg(db, 'institution', institutionId) : undefined;
      if (institutionId && !institution) throw notFound('This institution');
      return { title: `Add a new ${info.label}`, kind, info, institution, values, errors };
    }

    app.get(`${info.path}/new`, async (request, reply) => {
      const { institution_id: institutionId } = newQuery.parse(request.query);
      return reply.page(
        'institutions/new',
        await newPage(kind === 'group' ? institutionId : undefined, { name: '' }, {}),
      );
    });

    app.post(info.path, async (request, reply) => {
      const body = submittedValues(request.body);
      const form = parseForm(createForm, body);
      const institutionId = kind === 'group' && form.ok ? (form.data.institution_id ?? null) : null;
      const outcome = form.ok
        ? await createOrg(db, kind, { name: form.data.name, institutionId }, actorOf(staffOf(request)))
        : form;
      if (!outcome.ok) {
        const { institution_id: typedInstitution } = newQuery.parse(body);
        return reply
          .code(422)
          .page(
            'institutions/new',
            await newPage(
              kind === 'group' ? typedInstitution : undefined,
              { name: String(body.name ?? '') },
              outcome.errors,
            ),
          );
      }
      request.flash('success', `${info.title} “${form.ok ? form.data.name : ''}” added.`);
      return reply.seeOther(`${info.path}/${outcome.value}`);
    });

    app.get(`${info.path}/:id`, async (request, reply) => {
      return reply.page('institutions/show', await showData(request, await orgOr404(request)));
    });

    // Rename (a plain form: the page has several independent forms).
    app.post(`${info.path}/:id`, async (request, reply) => {
      const org = await orgOr404(request);
      const body = submittedValues(request.body);
      const form = parseForm(renameForm, body);
      const typed = { name: String(body.name ?? ''), version: String(body.version ?? org.version) };
      try {
        const outcome = form.ok ? await renameOrg(db, kind, org.id, form.data, actorOf(staffOf(request))) : form;
        if (!outcome.ok)
          return reply
            .code(422)
            .page('institutions/show', await showData(request, org, { values: typed, errors: outcome.errors }));
      } catch (error) {
        if (!(error instanceof StaleEditError)) throw error;
        const current = await orgOr404(request);
        const message = `Someone else renamed this ${info.label} to “${current.name}” after you opened it, so “${typed.name}” was not saved. Save again to replace it.`;
        return reply.code(409).page(
          'institutions/show',
          await showData(request, current, {
            values: { name: current.name, version: String(current.version) },
            errors: { name: message },
          }),
        );
      }
      request.flash('success', 'Name saved.');
      return reply.seeOther(`${info.path}/${org.id}`);
    });

    app.post(`${info.path}/:id/billing`, async (request, reply) => {
      const org = await orgOr404(request);
      const form = parseForm(billingForm, request.body);
      if (!form.ok) throw notFound(`This ${info.label}`);
      try {
        await setBillsExternally(
          db,
          kind,
          org.id,
          { billsExternally: form.data.bills_externally, version: form.data.version },
          actorOf(staffOf(request)),
        );
      } catch (error) {
        if (!(error instanceof StaleEditError)) throw error;
        request.flash(
          'error',
          `Someone else changed this ${info.label} after you opened it; nothing was saved. Try again.`,
        );
        return reply.seeOther(`${info.path}/${org.id}`);
      }
      request.flash(
        'success',
        form.data.bills_externally
          ? `Customers of “${org.name}” are billed through the external billing file.`
          : `Customers of “${org.name}” are no longer in the external billing file.`,
      );
      return reply.seeOther(`${info.path}/${org.id}`);
    });

    app.post(`${info.path}/:id/merge`, async (request, reply) => {
      const org = await orgOr404(request);
      const form = parseForm(mergeForm, request.body);
      if (!form.ok) throw notFound(`That ${info.label}`);
      if (asksForConfirmation(request.body))
        return reply.confirmation({
          question: `Merge “${org.name}” (#${org.id}) into #${form.data.survivor_id}?`,
          detail: `Its customers${kind === 'institution' ? ', groups' : ''} and customer number move there, and “${org.name}” is removed.`,
          action: `${info.path}/${org.id}/merge`,
          fields: { survivor_id: String(form.data.survivor_id) },
          yes: 'Merge',
          no: 'Do not merge',
          back: `${info.path}/${org.id}`,
        });
      await mergeOrg(db, kind, org.id, form.data.survivor_id, actorOf(staffOf(request)));
      request.flash(
        'success',
        `“${org.name}” was merged into this ${info.label}: its customers${kind === 'institution' ? ', groups' : ''} and customer number moved here.`,
      );
      return reply.seeOther(`${info.path}/${form.data.survivor_id}`);
    });
  }
}
