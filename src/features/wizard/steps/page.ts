import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../../db/index.ts';
import type { FieldErrors } from '../../../lib/forms.ts';
import { neighbour, reachedAfter, stepTabs } from '../../../lib/step-form.ts';
import { saveWizardDraft, type WizardDraft } from '../drafts.ts';
import type { StepAction } from '../schemas.ts';
import { progressOf, type StepSlug, type WizardStep, wizardSteps } from '../wizard.ts';

/** One request for one tab of one draft (`at` in the step modules: the request at that tab). */
export type StepRequest = {
  db: Db;
  request: FastifyRequest;
  reply: FastifyReply;
  draft: WizardDraft;
  step: WizardStep;
};

/** What each tab's module exports: GET shows the tab, POST saves it and moves on (or shows it again). */
export type StepHandlers = {
  show(at: StepRequest, data?: Record<string, unknown>): Promise<FastifyReply>;
  submit(at: StepRequest, body: Record<string, unknown>, action: StepAction): Promise<FastifyReply>;
};

export const stepUrl = (draftId: string, slug: StepSlug) => `/wizard/${draftId}/${slug}`;

/** The tab's page, with the tabs, the draft's values (never its PIN hash) and the errors (422 when there are any). */
export function renderStep({ reply, draft, step }: StepRequest, data: Record<string, unknown> = {}) {
  const errors = (data.errors ?? {}) as FieldErrors;
  if (Object.keys(errors).length && reply.statusCode < 400) reply.code(422);
  const { pin_hash: pinHash, ...values } = draft.values;
  const progress = progressOf(draft);
  return reply.page(`wizard/${step.slug}`, {
    title: `${step.title} · The Add Services Wizard`,
    tabs: stepTabs(wizardSteps, step, progress, (s) => stepUrl(draft.id, s.slug)),
    step,
    draft,
    action: stepUrl(draft.id, step.slug),
    values,
    hasPin: Boolean(pinHash),
    errors,
    previous: neighbour(wizardSteps, step, -1, progress),
    ...data,
  });
}

/** From the tab, with the draft as just saved, to the next tab (which it then opens) or the previous one, passing over skipped tabs. */
export async function moveOn({ db, reply, step }: StepRequest, draft: WizardDraft, direction: 1 | -1) {
  const target = neighbour(wizardSteps, step, direction, progressOf(draft))!;
  if (direction === 1) await saveWizardDraft(db, draft, {}, reachedAfter(draft.reachedStep, target));
  return reply.seeOther(stepUrl(draft.id, target.slug));
}

/** Back to the same tab, e.g. after a button that changes something on it. */
export const stayOn = ({ reply, draft, step }: StepRequest) => reply.seeOther(stepUrl(draft.id, step.slug));
