import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import { type FieldErrors, parseForm, submittedValues } from '../../lib/forms.ts';
import { notFound } from '../../lib/http-error.ts';
import { StaleEditError } from '../audit/audit.ts';
import { gradeLabels, grades } from '../numbers/grades.ts';
import {
  createPriceList,
  findPriceList,
  gradeSubject,
  listPriceLists,
  type PriceList,
  parsePriceForm,
  priceField,
  priceFormValues,
  priceTable,
  savePriceList,
  serviceSubject,
} from './price-lists.ts';
import {
  createServiceType,
  findServiceType,
  listServiceTypes,
  newSettingForm,
  type ServiceType,
  serviceTypeForm,
  settingKindLabels,
  settingKinds,
  updateServiceType,
} from './service-types.ts';

const idParams = z.object({ id: z.coerce.number().int().positive() });
const versionField = z.object({ version: z.coerce.number().int().positive() });
const priceListName = z.object({ name: serviceTypeForm.shape.name });

/** The catalogue's admin pages (C): service types with their settings, and price lists. Admins only. */
export default async function catalogueAdminRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin'));

  async function serviceTypeIn(request: FastifyRequest): Promise<ServiceType> {
    const params = idParams.safeParse(request.params);
    const type = params.success ? await findServiceType(db, params.data.id) : undefined;
    if (!type) throw notFound('This service type');
    return type;
  }

  async function priceListIn(request: FastifyRequest): Promise<PriceList> {
    const params = idParams.safeParse(request.params);
    const list = params.success ? await findPriceList(db, params.data.id) : undefined;
    if (!list) throw notFound('This price list');
    return list;
  }

  app.get('/admin', async (_request, reply) => reply.redirect('/admin/service-types', 303));

  app.get('/admin/service-types', async (_request, reply) =>
    reply.page('catalogue/service-types', {
      title: 'Service Types',
      section: 'service-types',
      types: await listServiceTypes(db),
    }),
  );

  const newTypePage = (reply: FastifyReply, values: Record<string, string>, errors: FieldErrors) =>
    reply.page('catalogue/service-type-new', { title: 'New service type', section: 'service-types', values, errors });

  app.get('/admin/service-types/new', async (_request, reply) => newTypePage(reply, {}, {}));

  app.post('/admin/service-types', async (request, reply) => {
    const body = submittedValues(request.body);
    const form = parseForm(serviceTypeForm, body);
    const outcome = form.ok ? await createServiceType(db, form.data, actorOf(staffOf(request))) : form;
    if (!outcome.ok) return newTypePage(reply.code(422), body, outcome.errors);
    request.flash('success', 'Service type added. Give it the settings each of its numbers has.');
    return reply.seeOther(`/admin/service-types/${outcome.id}`);
  });

  const typePage = (
    reply: FastifyReply,
    type: ServiceType,
    values: Record<string, unknown>,
    errors: FieldErrors,
    message?: string,
  ) =>
    reply.page('catalogue/service-type', {
      title: type.name,
      section: 'service-types',
      type,
      values,
      errors,
      message,
      settingKinds,
      settingKindLabels,
    });

  const typeValues = (type: ServiceType) => ({
    name: type.name,
    description: type.description,
    needs_numbers: type.needs_numbers ? 'yes' : 'no',
    version: String(type.version),
    ...Object.fromEntries(
      type.settings.flatMap((s) => [
        [`label_${s.id}`, s.label],
        [`default_${s.id}`, s.default_value],
        [`required_${s.id}`, s.required ? 'on' : ''],
      ]),
    ),
  });

  app.get('/admin/service-types/:id', async (request, reply) => {
    const type = await serviceTypeIn(request);
    return typePage(reply, type, typeValues(type), {});
  });

  app.post('/admin/service-types/:id', async (request, reply) => {
    const type = await serviceTypeIn(request);
    const body = submittedValues(request.body);
    const errors: FieldErrors = {};
    const head = parseForm(serviceTypeForm.and(versionField), body);
    if (!head.ok) Object.assign(errors, head.errors);
    const added = parseForm(newSettingForm, body);
    if (!added.ok) Object.assign(errors, added.errors);
    const settings: Record<number, { label: string; default_value: string; required: boolean }> = {};
    for (const s of type.settings) {
      const label = String(body[`label_${s.id}`] ?? '').trim();
      if (!label) errors[`label_${s.id}`] = 'Enter a label.';
      settings[s.id] = {
        label: label.slice(0, 100),
        default_value: String(body[`default_${s.id}`] ?? '')
          .trim()
          .slice(0, 200),
        required: body[`required_${s.id}`] === 'on',
      };
    }
    if (!head.ok || !added.ok || Object.keys(errors).length) return typePage(reply.code(422), type, body, errors);
    const newSetting = added.data.new_label
      ? {
          label: added.data.new_label,
          kind: added.data.new_kind,
          default_value: added.data.new_default,
          required: added.data.new_required === 'on',
        }
      : undefined;
    try {
      const refused = await updateServiceType(
        db,
        type,
        { ...head.data, settings, added: newSetting },
        actorOf(staffOf(request)),
      );
      if (refused) return typePage(reply.code(422), type, body, refused);
    } catch (error) {
      if (!(error instanceof StaleEditError)) throw error;
      const current = (await findServiceType(db, type.id))!;
      return typePage(reply.code(409), current, { ...body, version: String(current.version) }, {}, error.message);
    }
    request.flash('success', `${head.data.name} saved.`);
    return reply.seeOther(`/admin/service-types/${type.id}`);
  });

  const listsPage = async (reply: FastifyReply, values: Record<string, string>, errors: FieldErrors) =>
    reply.page('catalogue/price-lists', {
      title: 'Price Lists',
      section: 'price-lists',
      lists: await listPriceLists(db),
      values,
      errors,
    });

  app.get('/admin/price-lists', async (_request, reply) => listsPage(reply, {}, {}));

  app.post('/admin/price-lists', async (request, reply) => {
    const body = submittedValues(request.body);
    const form = parseForm(priceListName, body);
    const outcome = form.ok ? await createPriceList(db, form.data.name, actorOf(staffOf(request))) : form;
    if (!outcome.ok) return listsPage(reply.code(422), body, outcome.errors);
    request.flash('success', 'Price list added. Enter its prices.');
    return reply.seeOther(`/admin/price-lists/${outcome.id}`);
  });

  async function listPage(
    reply: FastifyReply,
    list: PriceList,
    values: Record<string, unknown>,
    errors: FieldErrors,
    message?: string,
  ) {
    const types = await listServiceTypes(db);
    const rows = [
      ...types.map((t) => ({ subject: serviceSubject(t.id), label: t.name, kind: 'Service' })),
      ...grades.map((g) => ({ subject: gradeSubject(g), label: `${gradeLabels[g]} numbers`, kind: 'Number grade' })),
    ].map((r) => ({ ...r, monthly: priceField(r.subject, 'monthly'), setup: priceField(r.subject, 'setup') }));
    return reply.page('catalogue/price-list', {
      title: list.name,
      section: 'price-lists',
      list,
      rows,
      values,
      errors,
      message,
    });
  }

  app.get('/admin/price-lists/:id', async (request, reply) => {
    const list = await priceListIn(request);
    const types = await listServiceTypes(db);
    const values = {
      name: list.name,
      version: String(list.version),
      ...priceFormValues(
        await priceTable(db, list.id),
        types.map((t) => t.id),
      ),
    };
    return listPage(reply, list, values, {});
  });

  app.post('/admin/price-lists/:id', async (request, reply) => {
    const list = await priceListIn(request);
    const body = submittedValues(request.body);
    const types = await listServiceTypes(db);
    const head = parseForm(priceListName.and(versionField), body);
    const prices = parsePriceForm(
      body,
      types.map((t) => t.id),
    );
    if (!head.ok || !prices.ok)
      return listPage(reply.code(422), list, body, {
        ...(head.ok ? {} : head.errors),
        ...(prices.ok ? {} : prices.errors),
      });
    try {
      const refused = await savePriceList(db, list, { ...head.data, table: prices.table }, actorOf(staffOf(request)));
      if (refused) return listPage(reply.code(422), list, body, refused);
    } catch (error) {
      if (!(error instanceof StaleEditError)) throw error;
      const current = (await findPriceList(db, list.id))!;
      return listPage(reply.code(409), current, { ...body, version: String(current.version) }, {}, error.message);
    }
    request.flash('success', `${head.data.name} saved.`);
    return reply.seeOther(`/admin/price-lists/${list.id}`);
  });
}
