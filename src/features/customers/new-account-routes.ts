import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import type { StaffPrincipal } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import { type FieldErrors, parseForm } from '../../lib/forms.ts';
import { forbidden, notFound } from '../../lib/http-error.ts';
import { hashPassword } from '../../lib/password.ts';
import {
  finishDraft,
  firstInvalidStep,
  type NewAccountStep,
  newAccountSteps,
  resellerOptions,
  staffChoosesReseller,
  TakenError,
  validateStep,
} from './customers.ts';
import { type CustomerDraft, createDraft, type DraftValues, discardDraft, findDraftFor, saveDraft } from './drafts.ts';
import { countries, MIN_PASSWORD_LENGTH, newPassword } from './schemas.ts';

const draftParams = z.object({ draftId: z.string().regex(/^[A-Za-z0-9_-]{10,40}$/) });
const stepParams = draftParams.extend({ step: z.enum(newAccountSteps.map((s) => s.slug) as [string, ...string[]]) });
const stepAction = z.object({ action: z.enum(['next', 'back', 'finish']).catch('next') });

const stepUrl = (draftId: string, step: NewAccountStep) => `/customers/new/${draftId}/${step.slug}`;

/** The fields of a step the user typed, as typed: only the step's own fields, and only strings. */
function typedValues(user: StaffPrincipal, step: NewAccountStep, body: Record<string, unknown>): DraftValues {
  const values: DraftValues = {};
  for (const field of step.fields) {
    if (field === 'reseller_id' && !staffChoosesReseller(user)) continue;
    const value = body[field];
    values[field] = typeof value === 'string' ? value : '';
  }
  return values;
}

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
      steps: newAccountSteps.map((s) => ({
        ...s,
        href: draft && s.number <= draft.reachedStep && s.number !== step.number ? stepUrl(draft.id, s) : null,
        state: s.number === step.number ? 'current' : draft && s.number < draft.reachedStep ? 'done' : 'todo',
      })),
      step,
      action: draft ? stepUrl(draft.id, step) : '/customers/new',
      draftId: draft?.id ?? null,
      values,
      errors,
      hasPassword: Boolean(passwordHash),
      minPasswordLength: MIN_PASSWORD_LENGTH,
      choosesReseller: staffChoosesReseller(user),
      resellers: step.number === 1 && staffChoosesReseller(user) ? await resellerOptions(db) : [],
      countries,
    });
  }

  /** The user's own draft from the URL; a finished one sends the user to the customer it created. */
  async function draftIn(request: FastifyRequest): Promise<CustomerDraft> {
    const params = draftParams.safeParse(request.params);
    const draft = params.success ? await findDraftFor(db, staffOf(request), params.data.draftId) : undefined;
    if (!draft) throw notFound('This new customer account form');
    return draft;
  }

  function stepIn(request: FastifyRequest): NewAccountStep {
    const params = stepParams.safeParse(request.params);
    if (!params.success) throw notFound('This step');
    return newAccountSteps.find((s) => s.slug === params.data.step)!;
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
    let saved = await saveDraft(db, draft, typedValues(user, step, body));

    // The password is kept only as a hash, and only once it is valid; a blank field keeps the one entered before.
    let passwordErrors: FieldErrors = {};
    if (step.number === 4 && (body.password || !saved.values.password_hash)) {
      const password = parseForm(newPassword, body);
      if (password.ok)
        saved = await saveDraft(db, saved, { password_hash: await hashPassword(password.data.password) });
      else passwordErrors = password.errors;
    }

    const previous = newAccountSteps[step.number - 2];
    if (action === 'back' && previous) return reply.seeOther(stepUrl(saved.id, previous));

    const errors = { ...(await validateStep(db, user, step, saved.values)), ...passwordErrors };
    if (Object.keys(errors).length) return refuseStep(request, reply, step, saved, errors);

    const next = newAccountSteps[step.number];
    if (next) {
      await saveDraft(db, saved, {}, Math.max(saved.reachedStep, next.number));
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
          'The customer account was created. Its administrative user can sign in to the portal.',
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
    const current = await findDraftFor(db, staffOf(request), draft.id);
    if (current?.customerId) return reply.seeOther(`/customers/${current.customerId}`);
    return renderStep(request, reply, step, draft, errors);
  }

  app.get('/customers/new', async (request, reply) => renderStep(request, reply, newAccountSteps[0], null));

  // Step 1 of a new form: the draft is created with what was typed, valid or not, then treated as any step.
  app.post('/customers/new', async (request, reply) => {
    const user = staffOf(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    refuseForeignReseller(user, body);
    const id = await createDraft(db, user, {});
    return submitStep(request, reply, (await findDraftFor(db, user, id))!, newAccountSteps[0]);
  });

  app.get('/customers/new/:draftId', async (request, reply) => {
    const draft = await draftIn(request);
    if (draft.customerId) return reply.redirect(`/customers/${draft.customerId}`, 303);
    return reply.redirect(stepUrl(draft.id, newAccountSteps[draft.reachedStep - 1]), 303);
  });

  app.get('/customers/new/:draftId/:step', async (request, reply) => {
    const draft = await draftIn(request);
    const step = stepIn(request);
    if (draft.customerId) return reply.redirect(`/customers/${draft.customerId}`, 303);
    // Steps open in order: a step whose predecessors have not all passed sends the user to the first open one.
    if (step.number > draft.reachedStep)
      return reply.redirect(stepUrl(draft.id, newAccountSteps[draft.reachedStep - 1]), 303);
    return renderStep(request, reply, step, draft);
  });

  app.post('/customers/new/:draftId/:step', async (request, reply) => {
    const draft = await draftIn(request);
    const step = stepIn(request);
    // A second *Finish* (double click, another tab) lands on the customer the first one created.
    if (draft.customerId) return reply.seeOther(`/customers/${draft.customerId}`);
    if (step.number > draft.reachedStep)
      return reply.seeOther(stepUrl(draft.id, newAccountSteps[draft.reachedStep - 1]));
    return submitStep(request, reply, draft, step);
  });

  app.post('/customers/new/:draftId/discard', async (request, reply) => {
    const params = draftParams.safeParse(request.params);
    if (!params.success || !(await discardDraft(db, staffOf(request), params.data.draftId)))
      throw notFound('This new customer account form');
    request.flash('info', 'The new customer account was discarded.');
    return reply.seeOther('/customers');
  });
}
