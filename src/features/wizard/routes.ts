import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { customersVisibleTo } from '../../auth/scope.ts';
import type { Db } from '../../db/index.ts';
import { type FieldErrors, parseForm } from '../../lib/forms.ts';
import { forbidden, notFound } from '../../lib/http-error.ts';
import { hashPassword } from '../../lib/password.ts';
import { listPriceLists } from '../catalogue/price-lists.ts';
import { defaultSettings, listServiceTypes, validateSettings } from '../catalogue/service-types.ts';
import { resellerOptions, staffChoosesReseller } from '../customers/customers.ts';
import { countries } from '../customers/schemas.ts';
import { gradeLabels, grades } from '../numbers/grades.ts';
import {
  knownPrefixes,
  type PhoneNumber,
  searchNumbers,
  selectionMethodLabels,
  selectionMethods,
} from '../numbers/numbers.ts';
import { createServices, NumberTakenError } from './creation.ts';
import {
  addNumbersToDraft,
  createWizardDraft,
  discardWizardDraft,
  findWizardDraftFor,
  openWizardDraftsFor,
  removeNumbersFromDraft,
  resetDraftNumberSettings,
  saveDraftNumber,
  saveWizardDraft,
  WIZARD_DRAFT_LIFETIME_MS,
  type WizardDraft,
  type WizardValues,
} from './drafts.ts';
import { destinations, finishWizard, parseEmails, recipients } from './notifications.ts';
import {
  defaultFilters,
  draftParams,
  filterKeys,
  idList,
  type NumberFilterForm,
  numberFilterForm,
  stepAction,
  stepParams,
} from './schemas.ts';
import { validityReport } from './validity.ts';
import {
  existingCustomer,
  isCustomerOnly,
  isSkipped,
  loadWizardState,
  MAX_QUANTITY,
  neighbour,
  pinField,
  quantityField,
  type StepSlug,
  serviceField,
  settingField,
  stepBySlug,
  validateBillingStep,
  validateCustomerStep,
  validateNumbersStep,
  validateServiceStep,
  validateSettingsStep,
  type WizardState,
  type WizardStep,
  wizardSteps,
} from './wizard.ts';

const stepUrl = (draftId: string, slug: StepSlug) => `/wizard/${draftId}/${slug}`;

// The fields of the customer form (C1), as New Customer Account names them, plus the wizard's own.
const newCustomerFields = [
  'kind',
  'name',
  'line1',
  'line2',
  'city',
  'region',
  'postal_code',
  'country',
  'email',
  'phone',
  'custom_account_id',
];

const TERMS = [
  'Services start on the day they are created and are billed monthly in advance from then; set-up charges appear on the first invoice.',
  'Numbers remain the property of the provider and are assigned to the customer for as long as the service is active. A number given up returns to the public pool after a quarantine period.',
  'Emergency calls from Hosted Voice and SIP Trunk services report the Bill To address unless another location is registered for the number.',
  'Either party may end a service with 30 days’ notice. Charges for the current month are not refunded.',
];

/**
 * *The Add Services Wizard* (C1–C7): sequential server-rendered tabs over a draft kept in the database,
 * so *Back*, a reload or a second tab loses nothing. Every button posts the whole tab, which is saved
 * before the wizard moves; htmx only makes the Numbers and Service tabs quicker.
 */
export default async function wizardRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  async function draftIn(request: FastifyRequest): Promise<WizardDraft> {
    const params = draftParams.safeParse(request.params);
    const draft = params.success ? await findWizardDraftFor(db, staffOf(request), params.data.draftId) : undefined;
    if (!draft) throw notFound('This wizard');
    return draft;
  }

  function tabsFor(draft: WizardDraft, current: WizardStep) {
    const created = Boolean(draft.createdServicesAt);
    return wizardSteps.map((s) => {
      const skipped = isSkipped(draft.values, s);
      // Once the services exist, the earlier tabs are history: only Creation and Notifications open.
      const open = !skipped && (created ? s.number >= 6 : s.number <= Math.min(draft.reachedStep, 6));
      const state =
        s.number === current.number
          ? 'current'
          : skipped
            ? 'skipped'
            : s.number < draft.reachedStep || (created && s.number <= 6)
              ? 'done'
              : 'todo';
      return { ...s, state, href: open && s.number !== current.number ? stepUrl(draft.id, s.slug) : null };
    });
  }

  async function render(reply: FastifyReply, step: WizardStep, draft: WizardDraft, data: Record<string, unknown> = {}) {
    const errors = (data.errors ?? {}) as FieldErrors;
    if (Object.keys(errors).length && reply.statusCode < 400) reply.code(422);
    const { pin_hash: pinHash, ...values } = draft.values;
    return reply.page(`wizard/${step.slug}`, {
      title: `${step.title} · The Add Services Wizard`,
      tabs: tabsFor(draft, step),
      step,
      draft,
      action: stepUrl(draft.id, step.slug),
      values,
      hasPin: Boolean(pinHash),
      errors,
      previous: neighbour(draft.values, step, -1),
      ...data,
    });
  }

  /** Where a request for a step goes instead, when the draft's state does not allow that step now. */
  function redirectFor(draft: WizardDraft, step: WizardStep): string | null {
    if (draft.createdServicesAt) return step.number < 6 ? stepUrl(draft.id, 'creation') : null;
    if (step.slug === 'notifications') return stepUrl(draft.id, 'creation');
    if (isSkipped(draft.values, step)) return stepUrl(draft.id, 'billing');
    if (step.number > draft.reachedStep) return stepUrl(draft.id, wizardSteps[draft.reachedStep - 1].slug);
    return null;
  }

  async function advance(reply: FastifyReply, draft: WizardDraft, step: WizardStep, direction: 1 | -1) {
    const target = neighbour(draft.values, step, direction)!;
    if (direction === 1) await saveWizardDraft(db, draft, {}, Math.max(draft.reachedStep, target.number));
    return reply.seeOther(stepUrl(draft.id, target.slug));
  }

  // ---- Start: *Next* begins a draft; unfinished drafts are offered for resuming.
  app.get('/wizard', async (request, reply) => {
    const drafts = await openWizardDraftsFor(db, staffOf(request));
    return reply.page('wizard/start', {
      title: 'The Add Services Wizard',
      drafts,
      lifetimeHours: WIZARD_DRAFT_LIFETIME_MS / 3_600_000,
    });
  });

  app.post('/wizard', async (request, reply) => {
    const id = await createWizardDraft(db, staffOf(request), { customer_mode: 'new', country: 'GB' });
    return reply.seeOther(stepUrl(id, 'customer'));
  });

  app.get('/wizard/:draftId', async (request, reply) => {
    const draft = await draftIn(request);
    const slug = draft.createdServicesAt ? 'notifications' : wizardSteps[draft.reachedStep - 1].slug;
    return reply.redirect(stepUrl(draft.id, slug), 303);
  });

  app.post('/wizard/:draftId/discard', async (request, reply) => {
    const params = draftParams.safeParse(request.params);
    if (!params.success || !(await discardWizardDraft(db, staffOf(request), params.data.draftId)))
      throw notFound('This wizard');
    request.flash('info', 'The wizard was discarded and its numbers were given back.');
    return reply.seeOther('/wizard');
  });

  // ---- Every tab: GET shows it, POST saves it and moves on.
  /** The user's draft and the step in the URL, and where to go instead if the draft does not allow that step now. */
  async function draftAndStep(request: FastifyRequest) {
    const draft = await draftIn(request);
    const params = stepParams.safeParse(request.params);
    if (!params.success) throw notFound('This step');
    const step = stepBySlug(params.data.step);
    return { draft, step, elsewhere: redirectFor(draft, step) };
  }

  app.get('/wizard/:draftId/:step', async (request, reply) => {
    const { draft, step, elsewhere } = await draftAndStep(request);
    if (elsewhere) return reply.redirect(elsewhere, 303);
    return showStep[step.slug](request, reply, draft, step);
  });

  app.post('/wizard/:draftId/:step', async (request, reply) => {
    const { draft, step, elsewhere } = await draftAndStep(request);
    if (elsewhere) return reply.seeOther(elsewhere);
    const body = (request.body ?? {}) as Record<string, unknown>;
    return submitStep[step.slug](request, reply, draft, step, body, stepAction.parse(body).action);
  });

  type Show = (
    request: FastifyRequest,
    reply: FastifyReply,
    draft: WizardDraft,
    step: WizardStep,
    data?: Record<string, unknown>,
  ) => Promise<FastifyReply>;
  type Submit = (
    request: FastifyRequest,
    reply: FastifyReply,
    draft: WizardDraft,
    step: WizardStep,
    body: Record<string, unknown>,
    action: string,
  ) => Promise<FastifyReply>;

  const text = (body: Record<string, unknown>, key: string) =>
    typeof body[key] === 'string' ? (body[key] as string) : '';

  // ---- C1 Customer
  const showCustomer: Show = async (request, reply, draft, step, data = {}) => {
    const user = staffOf(request);
    const existing = await existingCustomer(db, user, draft.values);
    return render(reply, step, draft, {
      choosesReseller: staffChoosesReseller(user),
      resellers: staffChoosesReseller(user) ? await resellerOptions(db) : [],
      countries,
      existing,
      ...data,
    });
  };

  const submitCustomer: Submit = async (request, reply, draft, step, body, action) => {
    const user = staffOf(request);
    const mode = text(body, 'customer_mode') === 'existing' ? 'existing' : 'new';
    if (!staffChoosesReseller(user) && body.reseller_id !== undefined && Number(body.reseller_id) !== user.resellerId)
      throw forbidden();
    const typed: WizardValues = { customer_mode: mode };
    // Only the shown form's fields are in the body; the other mode's values stay as they were.
    if ('account_number' in body) typed.account_number = text(body, 'account_number').trim().toUpperCase();
    if ('name' in body) for (const field of newCustomerFields) typed[field] = text(body, field);
    if ('reseller_id' in body && staffChoosesReseller(user)) typed.reseller_id = text(body, 'reseller_id');
    let saved = await saveWizardDraft(db, draft, typed);
    // The PIN is kept only as a hash, once valid; a blank field keeps the one entered before.
    const errors: FieldErrors = {};
    const pin = text(body, 'pin');
    if (pin) {
      const checked = parseForm(pinField, { pin });
      if (checked.ok) saved = await saveWizardDraft(db, saved, { pin_hash: await hashPassword(checked.data.pin) });
      else errors.pin = checked.errors.pin;
    }
    if (action === 'update') return reply.seeOther(stepUrl(draft.id, step.slug));
    Object.assign(errors, await validateCustomerStep(db, user, saved.values));
    if (Object.keys(errors).length) return showCustomer(request, reply, saved, step, { errors });
    return advance(reply, saved, step, 1);
  };

  // ---- C2 Service
  const showService: Show = async (request, reply, draft, step, data = {}) => {
    const types = await listServiceTypes(db);
    const detailsId = Number(draft.values.details_id ?? draft.values.service_type_id);
    const details = draft.values.details_id ? types.find((t) => t.id === detailsId) : undefined;
    if (request.isHtmx && data.fragment) return reply.page('wizard/_product-details', { details });
    return render(reply, step, draft, { types, details, ...data });
  };

  const submitService: Submit = async (request, reply, draft, step, body, action) => {
    const types = await listServiceTypes(db);
    const chosen = types.find((t) => t.id === Number(body.service_type_id));
    const typed: WizardValues = {};
    if (chosen) {
      typed.service_type_id = String(chosen.id);
      typed.customer_only = '';
      // A different service type has different settings: the chosen numbers start again from its defaults.
      if (draft.values.service_type_id !== typed.service_type_id)
        await resetDraftNumberSettings(db, draft, defaultSettings(chosen.settings));
    }
    if (action === 'customer-only') {
      const removed = await loadWizardState(db, draft);
      if (removed.numbers.length)
        await removeNumbersFromDraft(
          db,
          draft,
          removed.numbers.map((n) => n.id),
        );
      const saved = await saveWizardDraft(db, draft, { customer_only: '1', details_id: '' });
      return advance(reply, saved, stepBySlug('service'), 1);
    }
    if (action === 'choose' || action === 'details')
      typed.details_id = action === 'details' && chosen ? String(chosen.id) : '';
    const saved = await saveWizardDraft(db, draft, typed);
    if (action === 'choose' || action === 'details') {
      if (action === 'details' && !chosen)
        return showService(request, reply, saved, step, {
          errors: { service_type_id: 'Choose a service type to see its details.' },
        });
      return request.isHtmx
        ? showService(request, reply, saved, step, { fragment: true })
        : reply.seeOther(stepUrl(draft.id, step.slug));
    }
    if (action === 'back') return advance(reply, saved, step, -1);
    const errors = validateServiceStep(saved.values, await loadWizardState(db, saved));
    if (errors) return showService(request, reply, saved, step, { errors });
    return advance(reply, saved, step, 1);
  };

  // ---- C3 Numbers
  /** The pools the user may take numbers from: the public pool, and pools of customers the user may see. */
  async function poolOptions(request: FastifyRequest) {
    const pooled = db('phone_numbers').distinct('pool_customer_id').whereNotNull('pool_customer_id');
    const customers = await customersVisibleTo(db, staffOf(request))
      .whereIn('customers.id', pooled)
      .orderBy('name')
      .limit(50)
      .select('customers.id', 'customers.name', 'customers.account_number');
    return [
      { value: 'public', label: 'Public pool' },
      ...customers.map((c: { id: number; name: string; account_number: string }) => ({
        value: String(c.id),
        label: `${c.name} (${c.account_number})`,
      })),
    ];
  }

  /** The filters to show: from the query string when searching, else the ones saved with the draft. */
  function filtersOf(draft: WizardDraft, source: Record<string, unknown> | null): Record<string, string> {
    return Object.fromEntries(
      filterKeys.map((k) => [
        k,
        source
          ? text(source, k) || (k === 'digits' || k === 'prefix' || k === 'grade' ? '' : defaultFilters[k])
          : (draft.values[`n_${k}`] ?? defaultFilters[k]),
      ]),
    );
  }

  async function numbersData(
    request: FastifyRequest,
    filters: Record<string, string>,
    searched: boolean,
    state: WizardState,
  ) {
    const pools = await poolOptions(request);
    const parsed = parseForm(numberFilterForm, filters);
    const errors: FieldErrors = parsed.ok ? {} : parsed.errors;
    if (parsed.ok && !pools.some((p) => p.value === parsed.data.pool)) errors.pool = 'Choose a pool from the list.';
    let results: PhoneNumber[] = [];
    if (searched && parsed.ok && !errors.pool) results = await searchNumbers(db, toSearch(parsed.data));
    return {
      filters,
      filterErrors: errors,
      results,
      searched,
      pools,
      prefixes: await knownPrefixes(db),
      grades,
      gradeLabels,
      methods: selectionMethods,
      methodLabels: selectionMethodLabels,
      state,
    };
  }

  const toSearch = (f: NumberFilterForm) => ({
    count: f.count,
    prefix: f.prefix || null,
    grade: f.grade || null,
    method: f.method,
    digits: f.digits || null,
    poolCustomerId: f.pool === 'public' ? null : Number(f.pool),
  });

  const showNumbers: Show = async (request, reply, draft, step, data = {}) => {
    const query = request.query as Record<string, unknown>;
    const searching = typeof query.method === 'string';
    const filters = filtersOf(draft, searching ? query : null);
    const state = await loadWizardState(db, draft);
    const numbers = await numbersData(request, filters, searching || Boolean(draft.values.n_method), state);
    if (Object.keys(numbers.filterErrors).length) reply.code(422);
    if (request.isHtmx)
      return reply.page('wizard/_numbers-work', {
        draft,
        action: stepUrl(draft.id, 'numbers'),
        errors: {},
        ...numbers,
        ...data,
      });
    return render(reply, step, draft, { ...numbers, ...data });
  };

  const submitNumbers: Submit = async (request, reply, draft, step, body, action) => {
    const filters = filtersOf(draft, body);
    const saved = await saveWizardDraft(db, draft, Object.fromEntries(filterKeys.map((k) => [`n_${k}`, filters[k]])));
    const state = await loadWizardState(db, saved);
    if (!state.serviceType) return reply.seeOther(stepUrl(draft.id, 'service'));
    const again = `${stepUrl(draft.id, 'numbers')}?${new URLSearchParams(filters)}`;

    const add =
      body.add !== undefined
        ? idList.safeParse(body.add)
        : action === 'add-ticked'
          ? idList.safeParse(body.ticked)
          : null;
    const remove = body.remove !== undefined ? idList.safeParse(body.remove) : null;
    if (add || remove) {
      let message: string | undefined;
      if (add?.success && add.data.length) {
        // Only numbers the user could have been shown: in the public pool or a pool the user may use.
        const pools = (await poolOptions(request)).map((p) => (p.value === 'public' ? null : Number(p.value)));
        const allowed: number[] = await db('phone_numbers')
          .whereIn('id', add.data)
          .where((q) => {
            q.whereNull('pool_customer_id');
            const ids = pools.filter((p): p is number => p !== null);
            if (ids.length) q.orWhereIn('pool_customer_id', ids);
          })
          .pluck('id');
        const taken = await addNumbersToDraft(db, saved, allowed, defaultSettings(state.serviceType.settings));
        if (taken.length || allowed.length < add.data.length) {
          const lost: string[] = await db('phone_numbers')
            .whereIn(
              'id',
              add.data.filter((id) => taken.includes(id) || !allowed.includes(id)),
            )
            .orderBy('number')
            .pluck('number');
          message = `${lost.join(', ')} ${lost.length === 1 ? 'was' : 'were'} just taken by someone else. Choose another.`;
        }
      } else if (add) {
        message = 'Tick the numbers to add first.';
      }
      if (remove?.success) await removeNumbersFromDraft(db, saved, remove.data);
      if (request.isHtmx) {
        if (message) reply.code(409);
        const fresh = await loadWizardState(db, saved);
        return reply.page('wizard/_numbers-work', {
          draft: saved,
          action: stepUrl(draft.id, 'numbers'),
          errors: {},
          message,
          ...(await numbersData(request, filters, true, fresh)),
        });
      }
      if (message) request.flash('error', message);
      return reply.seeOther(again);
    }
    if (action === 'back') return advance(reply, saved, step, -1);
    if (action !== 'next') return reply.seeOther(again);
    const errors = validateNumbersStep(state);
    if (errors) return render(reply, step, saved, { errors, ...(await numbersData(request, filters, true, state)) });
    return advance(reply, saved, step, 1);
  };

  // ---- C4 Settings
  const showSettings: Show = async (_request, reply, draft, step, data = {}) => {
    const state = await loadWizardState(db, draft);
    if (!state.serviceType) return reply.redirect(stepUrl(draft.id, 'service'), 303);
    return render(reply, step, draft, { state, settingField, serviceField, maxQuantity: MAX_QUANTITY, ...data });
  };

  const submitSettings: Submit = async (request, reply, draft, step, body, action) => {
    const state = await loadWizardState(db, draft);
    if (!state.serviceType) return reply.seeOther(stepUrl(draft.id, 'service'));
    const quantityText = text(body, 'quantity') || '1';
    const errors: FieldErrors = {};
    const quantity = parseForm(quantityField, { quantity: quantityText });
    if (!quantity.ok) Object.assign(errors, quantity.errors);
    for (const n of state.numbers) {
      const typed = Object.fromEntries(state.serviceType.settings.map((s) => [s.key, body[settingField(n.id, s.key)]]));
      const checked = validateSettings(state.serviceType.settings, typed);
      const serviceIndex = Number(text(body, serviceField(n.id)) || '1');
      await saveDraftNumber(
        db,
        draft,
        n.id,
        checked.values,
        Number.isInteger(serviceIndex) && serviceIndex >= 1 ? serviceIndex : 1,
      );
    }
    const saved = await saveWizardDraft(db, draft, { quantity: quantityText });
    if (action === 'back') return advance(reply, saved, step, -1);
    Object.assign(errors, quantity.ok ? validateSettingsStep(await loadWizardState(db, saved)) : {});
    if (action === 'update' && !Object.keys(errors).length) {
      request.flash('success', 'Settings updated.');
      return reply.seeOther(stepUrl(draft.id, step.slug));
    }
    if (Object.keys(errors).length)
      return showSettings(request, reply, saved, step, { errors, typedQuantity: quantityText });
    return advance(reply, saved, step, 1);
  };

  // ---- C5 Billing
  const showBilling: Show = async (_request, reply, draft, step, data = {}) => {
    const state = await loadWizardState(db, draft);
    return render(reply, step, draft, {
      state,
      priceLists: await listPriceLists(db),
      customerOnly: isCustomerOnly(draft.values),
      ...data,
    });
  };

  const submitBilling: Submit = async (request, reply, draft, step, body, action) => {
    const lists = await listPriceLists(db);
    const chosen = lists.find((l) => l.id === Number(body.price_list_id));
    const saved = chosen ? await saveWizardDraft(db, draft, { price_list_id: String(chosen.id) }) : draft;
    if (action === 'back') return advance(reply, saved, step, -1);
    if (!chosen && body.price_list_id !== undefined)
      return showBilling(request, reply, saved, step, {
        errors: { price_list_id: 'Choose a price list from the list.' },
      });
    if (action === 'change') {
      request.flash('success', `Priced under ${chosen?.name ?? 'the price list'}.`);
      return reply.seeOther(stepUrl(draft.id, step.slug));
    }
    const errors = validateBillingStep(await loadWizardState(db, saved));
    if (errors) return showBilling(request, reply, saved, step, { errors });
    return advance(reply, saved, step, 1);
  };

  // ---- C6 Creation
  const showCreation: Show = async (request, reply, draft, step, data = {}) => {
    const state = await loadWizardState(db, draft);
    const created = Boolean(draft.createdServicesAt);
    const report = created ? null : await validityReport(db, staffOf(request), draft, state);
    return render(reply, step, draft, { state, report, created, terms: TERMS, ...data });
  };

  const submitCreation: Submit = async (request, reply, draft, step, body, action) => {
    if (draft.createdServicesAt) {
      if (action === 'next') return advance(reply, await saveWizardDraft(db, draft, {}, 7), step, 1);
      return reply.seeOther(stepUrl(draft.id, step.slug));
    }
    const saved = await saveWizardDraft(db, draft, {
      view: text(body, 'view') === 'full' ? 'full' : 'summary',
      show_terms: body.show_terms === 'on' ? 'on' : '',
      agreed: body.agreed === 'on' ? 'on' : '',
    });
    if (action === 'back') return advance(reply, saved, step, -1);
    if (action !== 'create') return reply.seeOther(stepUrl(draft.id, step.slug));
    const state = await loadWizardState(db, saved);
    const report = await validityReport(db, staffOf(request), saved, state);
    if (report.errors.length)
      return showCreation(request, reply, saved, step, {
        errors: { _form: 'Fix the errors below before creating the services.' },
      });
    if (saved.values.agreed !== 'on')
      return showCreation(request, reply, saved, step, {
        errors: { agreed: 'Tick I Agree to the Terms and Conditions of these Services first.' },
      });
    try {
      const result = await createServices(db, staffOf(request), saved, state);
      if (result.created)
        request.flash(
          'success',
          isCustomerOnly(saved.values)
            ? 'The customer account was created.'
            : `${result.serviceIds.length === 1 ? 'The service was' : `${result.serviceIds.length} services were`} created.`,
        );
    } catch (error) {
      if (!(error instanceof NumberTakenError)) throw error;
      reply.code(409);
      return showCreation(request, reply, saved, step, { errors: { _form: error.message } });
    }
    return reply.seeOther(stepUrl(draft.id, step.slug));
  };

  // ---- C7 Notifications
  async function emailDefaults(draft: WizardDraft) {
    const customer = draft.customerId
      ? await db('customers')
          .where({ id: draft.customerId })
          .first('id', 'name', 'email', 'reseller_id', 'account_number')
      : undefined;
    const resellerUser = customer
      ? await db('users')
          .where({ reseller_id: customer.reseller_id, role: 'reseller' })
          .whereNull('disabled_at')
          .orderBy('id')
          .first('email')
      : undefined;
    const services = await db('services as s')
      .join('service_types as t', 't.id', 's.service_type_id')
      .where('s.wizard_draft_id', draft.id)
      .orderBy('s.id')
      .select('s.id', 't.name');
    const numbers: string[] = services.length
      ? await db('service_numbers as sn')
          .join('phone_numbers as n', 'n.id', 'sn.phone_number_id')
          .whereIn(
            'sn.service_id',
            services.map((s) => s.id),
          )
          .orderBy('n.number')
          .pluck('n.number')
      : [];
    const what = services.length
      ? `${services.length === 1 ? `a ${services[0].name} service` : `${services.length} ${services[0].name} services`}${numbers.length ? ` with the number${numbers.length === 1 ? '' : 's'} ${numbers.join(', ')}` : ''}`
      : 'a customer account';
    return {
      customer,
      services,
      defaults: {
        customer_to: customer?.email ?? '',
        customer_subject: services.length ? 'Your new services are ready' : 'Your customer account is ready',
        customer_body: `Hello ${customer?.name ?? ''},\n\nWe have set up ${what} for you (account ${customer?.account_number ?? ''}).\n\nKind regards`,
        reseller_to: resellerUser?.email ?? '',
        reseller_subject: `New for ${customer?.name ?? 'your customer'}`,
        reseller_body: `${customer?.name ?? 'The customer'} (${customer?.account_number ?? ''}) now has ${what}.`,
      } as Record<string, string>,
    };
  }

  const showNotifications: Show = async (_request, reply, draft, step, data = {}) => {
    const { customer, services, defaults } = await emailDefaults(draft);
    const values = { ...defaults, destination: services.length ? 'service' : 'customer', ...draft.values };
    return render(
      reply,
      step,
      { ...draft, values },
      {
        customer,
        services,
        recipients,
        destinations,
        log: draft.creationLog,
        finished: Boolean(draft.finishedAt),
        ...data,
      },
    );
  };

  const submitNotifications: Submit = async (request, reply, draft, step, body, action) => {
    const typed: WizardValues = {};
    for (const category of ['customer', 'services', 'numbers', 'billing'])
      typed[`show_log_${category}`] = body[`show_log_${category}`] === 'on' ? 'on' : '';
    for (const { key } of recipients) {
      typed[`email_${key}`] = body[`email_${key}`] === 'on' ? 'on' : '';
      for (const part of ['to', 'subject', 'body']) typed[`${key}_${part}`] = text(body, `${key}_${part}`);
    }
    const destination = destinations.find((d) => d.key === text(body, 'destination'))?.key ?? 'customer';
    typed.destination = destination;
    const saved = draft.finishedAt ? draft : await saveWizardDraft(db, draft, typed);
    if (action !== 'finish') return reply.seeOther(stepUrl(draft.id, step.slug));
    const emails = parseEmails(body);
    if (!emails.ok) return showNotifications(request, reply, saved, step, { errors: emails.errors });
    const finished = await finishWizard(db, saved, emails.ok ? emails.emails : []);
    if (finished && emails.emails.length)
      request.flash(
        'success',
        `${emails.emails.length === 1 ? 'One e-mail is' : `${emails.emails.length} e-mails are`} on the way.`,
      );
    const firstService = await db('services').where({ wizard_draft_id: draft.id }).orderBy('id').first('id');
    if (destination === 'wizard') return reply.seeOther('/wizard');
    if (destination === 'service' && firstService) return reply.seeOther(`/services/${firstService.id}`);
    return reply.seeOther(`/customers/${saved.customerId}`);
  };

  const showStep: Record<StepSlug, Show> = {
    customer: showCustomer,
    service: showService,
    numbers: showNumbers,
    settings: showSettings,
    billing: showBilling,
    creation: showCreation,
    notifications: showNotifications,
  };
  const submitStep: Record<StepSlug, Submit> = {
    customer: submitCustomer,
    service: submitService,
    numbers: submitNumbers,
    settings: submitSettings,
    billing: submitBilling,
    creation: submitCreation,
    notifications: submitNotifications,
  };
}
