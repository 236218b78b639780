import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import type { Db } from '../../db/index.ts';
import { asksForConfirmation } from '../../lib/forms.ts';
import { notFound } from '../../lib/http-error.ts';
import { furthestStep, stepBySlug } from '../../lib/step-form.ts';
import { draftLifetimesMs } from '../drafts/drafts.ts';
import { draftParams, stepParams } from '../drafts/schemas.ts';
import { createWizardDraft, discardWizardDraft, type WizardDraft } from './drafts.ts';
import { findWizardDraftFor, openWizardDraftsFor } from './queries.ts';
import { stepAction } from './schemas.ts';
import * as billing from './steps/billing.ts';
import * as creation from './steps/creation.ts';
import * as customer from './steps/customer.ts';
import * as notifications from './steps/notifications.ts';
import * as numbers from './steps/numbers.ts';
import { type StepHandlers, type StepRequest, stepUrl } from './steps/page.ts';
import * as service from './steps/service.ts';
import * as settings from './steps/settings.ts';
import { progressOf, type StepSlug, tabInstead, wizardSteps } from './wizard.ts';

const stepHandlers: Record<StepSlug, StepHandlers> = {
  customer,
  service,
  numbers,
  settings,
  billing,
  creation,
  notifications,
};
const wizardStepParams = stepParams(wizardSteps);

/**
 * *The Add Services Wizard* (C1–C7): sequential server-rendered tabs over a draft kept in the database,
 * so *Back*, a reload or a second tab loses nothing. Every button posts the whole tab, which is saved
 * before the wizard moves; htmx only makes the Numbers and Service tabs quicker. Each tab is a module
 * of steps/.
 */
export default async function wizardRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  async function draftIn(request: FastifyRequest): Promise<WizardDraft> {
    const params = draftParams.safeParse(request.params);
    const draft = params.success ? await findWizardDraftFor(db, staffOf(request), params.data.draftId) : undefined;
    if (!draft) throw notFound('This wizard');
    return draft;
  }

  /** The user's draft and the tab in the URL, and the tab to go to instead if the draft does not open this one now. */
  async function stepRequestFor(request: FastifyRequest, reply: FastifyReply) {
    const draft = await draftIn(request);
    const params = wizardStepParams.safeParse(request.params);
    const step = params.success ? stepBySlug(wizardSteps, params.data.step) : undefined;
    if (!step) throw notFound('This step');
    const instead = tabInstead(draft, step);
    const at: StepRequest = { db, request, reply, draft, step };
    return { at, elsewhere: instead && stepUrl(draft.id, instead.slug) };
  }

  // ---- Start: *Next* begins a draft; unfinished drafts are offered for resuming.
  app.get('/wizard', async (request, reply) => {
    const drafts = await openWizardDraftsFor(db, staffOf(request));
    return reply.page('wizard/start', {
      title: 'The Add Services Wizard',
      drafts,
      lifetimeHours: draftLifetimesMs['add-services'] / 3_600_000,
    });
  });

  app.post('/wizard', async (request, reply) => {
    const id = await createWizardDraft(db, staffOf(request), { customer_mode: 'new', country: 'GB' });
    return reply.seeOther(stepUrl(id, 'customer'));
  });

  app.get('/wizard/:draftId', async (request, reply) => {
    const draft = await draftIn(request);
    return reply.redirect(stepUrl(draft.id, furthestStep(wizardSteps, progressOf(draft)).slug), 303);
  });

  app.post('/wizard/:draftId/discard', async (request, reply) => {
    const params = draftParams.safeParse(request.params);
    if (params.success && asksForConfirmation(request.body))
      return reply.confirmation({
        question: 'Discard this wizard?',
        detail: 'Its numbers are given back to the inventory and what was entered is lost.',
        action: `/wizard/${params.data.draftId}/discard`,
        yes: 'Discard wizard',
        no: 'Keep wizard',
        back: '/wizard',
      });
    if (!params.success || !(await discardWizardDraft(db, staffOf(request), params.data.draftId)))
      throw notFound('This wizard');
    request.flash('info', 'The wizard was discarded and its numbers were given back.');
    return reply.seeOther('/wizard');
  });

  // The Customer tab's type-ahead (htmx); without JavaScript the tab's own Search does the same.
  app.get('/wizard/:draftId/customers', async (request, reply) => {
    const draft = await draftIn(request);
    return customer.matches({ db, request, reply, draft, step: wizardSteps[0] });
  });

  // ---- Every tab: GET shows it, POST saves it and moves on.
  app.get('/wizard/:draftId/:step', async (request, reply) => {
    const { at, elsewhere } = await stepRequestFor(request, reply);
    if (elsewhere) return reply.redirect(elsewhere, 303);
    return stepHandlers[at.step.slug].show(at);
  });

  app.post('/wizard/:draftId/:step', async (request, reply) => {
    const { at, elsewhere } = await stepRequestFor(request, reply);
    if (elsewhere) return reply.seeOther(elsewhere);
    const body = (request.body ?? {}) as Record<string, unknown>;
    return stepHandlers[at.step.slug].submit(at, body, stepAction.parse(body).action);
  });
}
