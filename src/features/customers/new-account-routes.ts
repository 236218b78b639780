import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import type { StaffPrincipal } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import { asksForConfirmation, type FieldErrors, parseForm } from '../../lib/forms.ts';
import { forbidden, notFound } from '../../lib/http-error.ts';
import { hashPassword } from '../../lib/password.ts';
import {
  furthestStep,
  neighbour,
  type Progress,
  reachedAfter,
  stepBySlug,
  stepInstead,
  stepTabs,
  typedValues,
} from '../../lib/step-form.ts';
import { createDraft, discardDraft, saveDraft } from '../drafts/drafts.ts';
import { findDraftFor } from '../drafts/queries.ts';
import { draftParams, stepParams } from '../drafts/schemas.ts';
import { orgPicker } from '../institutions/picker.ts';
import {
  finishDraft,
  firstInvalidStep,
  resellerOptions,
  staffChoosesReseller,
  TakenError,
  validateStep,
} from './customers.ts';
import { type CustomerDraft, type NewAccountStep, newAccountSteps } from './drafts.ts';
import { countries, MIN_PASSWORD_LENGTH, newPassword } from './schemas.ts';

const newAccountStepParams = stepParams(newAccountSteps);
const stepAction = z.object({ action: z.enum(['next', 'back', 'finish', 'find']).catch('next') });

const stepUrl = (draftId: string, step: NewAccountStep) => `/customers/new/${draftId}/${step.slug}`;

/** Steps open in order: a step opens once every step before it has passed. Without a draft, only the first. */
const progressOf = (draft: CustomerDraft | null): Progress<NewAccountStep> => ({ reached: draft?.reachedStep ?? 1 });

/** The fields of a step the user may type: a reseller user's customers are its own, so it names no reseller. */
const fieldsFor = (user: StaffPrincipal, step: NewAccountStep) =>
  step.fields.filter((field) => field !== 'reseller_id' || staffChoosesReseller(user));

/**
 * *New Customer Account* (B2): four server-rendered steps over a draft kept in the database, so a
 * reload, a second tab or signing out and back in loses nothing. *Next* validates the step; *Back*
 * keeps what was typed, valid or not; *Finish* creates the customer exactly once.
 */
export default async function newAccountRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));
  async function renderStep(
    request: FastifyRequest,
    reply: FastifyReply,
    step: NewAccountStep,
    draft: CustomerDraft | null,
    errors: FieldErrors = {},
  ) {
    const user = staffOf(request);
    const { password_hash: passwordHash, ...values } = draft?.values ?? {};
    if (Object.keys(errors).length) reply.code(422);
    return reply.page(`customers/new/${step.slug}`, {
      title: 'New Customer Account',
      steps: stepTabs(newAccountSteps, step, progressOf(draft), (s) => (draft ? stepUrl(draft.id, s) : null)),
      step,
      action: draft ? stepUrl(draft.id, step) : '/customers/new',
      draftId: draft?.id ?? null,
      values,
      errors,
      hasPassword: Boolean(passwordHash),
      minPasswordLength: MIN_PASSWORD_LENGTH,
      choosesReseller: staffChoosesReseller(user),
      resellers: step.number === 1 && staffChoosesReseller(user) ? await resellerOptions(db) : [],
      picker: step.number === 1 ? await orgPicker(db, values) : null,
      countries,
    });
  }

  /** The user's own draft from the URL; a finished one sends the user to the customer it created. */
  async function draftIn(request: FastifyRequest): Promise<CustomerDraft> {
    const params = draftParams.safeParse(request.params);
    const draft = params.success
      ? await findDraftFor(db, 'new-customer', staffOf(request), params.data.draftId)
      : undefined;
    if (!draft) throw notFound('This new customer account form');
    return draft;
  }

  function stepIn(request: FastifyRequest): NewAccountStep {
    const params = newAccountStepParams.safeParse(request.params);
    const step = params.success ? stepBySlug(newAccountSteps, params.data.step) : undefined;
    if (!step) throw notFound('This step');
    return step;
  }

  /** A reseller user's customers are its own: a form naming another reseller is refused outright. */
  function refuseForeignReseller(user: StaffPrincipal, body: Record<string, unknown>) {
    if (!staffChoosesReseller(user) && body.reseller_id !== undefined && Number(body.reseller_id) !== user.resellerId)
      throw forbidden();
  }

  async function submitStep(request: FastifyRequest, reply: FastifyReply, draft: CustomerDraft, step: NewAccountStep) {
    const user = staffOf(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    refuseForeignReseller(user, body);
    const { action } = stepAction.parse(body);
    let saved = await saveDraft(db, draft, typedValues(fieldsFor(user, step), body));

    // The password is kept only as a hash, and only once it is valid; a blank field keeps the one entered before.
    let passwordErrors: FieldErrors = {};
    if (step.number === 4 && (body.password || !saved.values.password_hash)) {
      const password = parseForm(newPassword, body);
      if (password.ok)
        saved = await saveDraft(db, saved, { password_hash: await hashPassword(password.data.password) });
      else passwordErrors = password.errors;
    }

    const previous = neighbour(newAccountSteps, step, -1);
    if (action === 'back' && previous) return reply.seeOther(stepUrl(saved.id, previous));
    // Search in the institution and group picker without JavaScript: the step again, its lists narrowed.
    if (action === 'find') return reply.seeOther(stepUrl(saved.id, step));

    const errors = { ...(await validateStep(db, user, step, saved.values)), ...passwordErrors };
    if (Object.keys(errors).length) return refuseStep(request, reply, step, saved, errors);

    const next = neighbour(newAccountSteps, step, 1);
    if (next) {
      await saveDraft(db, saved, {}, reachedAfter(saved.reachedStep, next));
      return reply.seeOther(stepUrl(saved.id, next));
    }

    // *Finish*: every step again, since another user may have taken a value meanwhile.
    const invalid = await firstInvalidStep(db, user, saved.values);
    if (invalid) return refuseStep(request, reply, invalid.step, saved, invalid.errors);
    try {
      const { customerId, created } = await finishDraft(db, user, saved, saved.values.password_hash!);
      if (created)
        request.flash(
          'success',
          'The customer account was created, with its administrative user on the Users tab. Give the user a contact profile on Customer Details before they use the portal.',
        );
      return reply.seeOther(`/customers/${customerId}`);
    } catch (error) {
      if (error instanceof TakenError) return refuseStep(request, reply, error.step, saved, error.errors);
      throw error;
    }
  }

  /**
   * Shows a step again with its errors, unless the draft was finished meanwhile: a second *Finish* that
   * lost the race finds "its" logon name taken by the customer the first one created, and belongs there.
   */
  async function refuseStep(
    request: FastifyRequest,
    reply: FastifyReply,
    step: NewAccountStep,
    draft: CustomerDraft,
    errors: FieldErrors,
  ) {
    const current = await findDraftFor(db, 'new-customer', staffOf(request), draft.id);
    if (current?.customerId) return reply.seeOther(`/customers/${current.customerId}`);
    return renderStep(request, reply, step, draft, errors);
  }

  app.get('/customers/new', async (request, reply) => renderStep(request, reply, newAccountSteps[0], null));

  // Step 1 of a new form: the draft is created with what was typed, valid or not, then treated as any step.
  app.post('/customers/new', async (request, reply) => {
    const user = staffOf(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    refuseForeignReseller(user, body);
    const id = await createDraft(db, 'new-customer', user);
    return submitStep(request, reply, (await findDraftFor(db, 'new-customer', user, id))!, newAccountSteps[0]);
  });

  app.get('/customers/new/:draftId', async (request, reply) => {
    const draft = await draftIn(request);
    if (draft.customerId) return reply.redirect(`/customers/${draft.customerId}`, 303);
    return reply.redirect(stepUrl(draft.id, furthestStep(newAccountSteps, progressOf(draft))), 303);
  });

  app.get('/customers/new/:draftId/:step', async (request, reply) => {
    const draft = await draftIn(request);
    const step = stepIn(request);
    if (draft.customerId) return reply.redirect(`/customers/${draft.customerId}`, 303);
    // Steps open in order: a step whose predecessors have not all passed sends the user to the first open one.
    const instead = stepInstead(newAccountSteps, step, progressOf(draft));
    if (instead) return reply.redirect(stepUrl(draft.id, instead), 303);
    return renderStep(request, reply, step, draft);
  });

  app.post('/customers/new/:draftId/:step', async (request, reply) => {
    const draft = await draftIn(request);
    const step = stepIn(request);
    // A second *Finish* (double click, another tab) lands on the customer the first one created.
    if (draft.customerId) return reply.seeOther(`/customers/${draft.customerId}`);
    const instead = stepInstead(newAccountSteps, step, progressOf(draft));
    if (instead) return reply.seeOther(stepUrl(draft.id, instead));
    return submitStep(request, reply, draft, step);
  });

  app.post('/customers/new/:draftId/discard', async (request, reply) => {
    const params = draftParams.safeParse(request.params);
    if (params.success && asksForConfirmation(request.body))
      return reply.confirmation({
        question: 'Discard this new customer account?',
        detail: 'What you entered so far is lost.',
        action: `/customers/new/${params.data.draftId}/discard`,
        yes: 'Discard account',
        no: 'Keep editing',
        back: '/customers/new',
      });
    if (!params.success || !(await discardDraft(db, 'new-customer', staffOf(request), params.data.draftId)))
      throw notFound('This new customer account form');
    request.flash('info', 'The new customer account was discarded.');
    return reply.seeOther('/customers');
  });
}
