import { staffOf } from '../../../auth/guards.ts';
import { typedValue } from '../../../lib/step-form.ts';
import { createServices, NumberTakenError } from '../creation.ts';
import { saveWizardDraft } from '../drafts.ts';
import { validityReport } from '../validity.ts';
import { isCustomerOnly, loadWizardState } from '../wizard.ts';
import { moveOn, renderStep, type StepHandlers, stayOn } from './page.ts';

const TERMS = [
  'Services start on the day they are created and are billed monthly in advance from then; set-up charges appear on the first invoice.',
  'Numbers remain the property of the provider and are assigned to the customer for as long as the service is active. A number given up returns to the public pool after a quarantine period.',
  'Emergency calls from Hosted Voice and SIP Trunk services report the Bill To address unless another location is registered for the number.',
  'Either party may end a service with 30 days’ notice. Charges for the current month are not refunded.',
];

/**
 * C6 *Creation*: the validity report of the whole draft, the terms, and *Create Services*; once the
 * services exist, what was done.
 */
export const show: StepHandlers['show'] = async (at, data = {}) => {
  const state = await loadWizardState(at.db, at.draft);
  const created = Boolean(at.draft.createdServicesAt);
  const report = created ? null : await validityReport(at.db, staffOf(at.request), at.draft, state);
  return renderStep(at, { state, report, created, terms: TERMS, ...data });
};

export const submit: StepHandlers['submit'] = async (at, body, action) => {
  const { db, draft, request } = at;
  if (draft.createdServicesAt) {
    if (action === 'next') return moveOn(at, draft, 1);
    return stayOn(at);
  }
  const saved = await saveWizardDraft(db, draft, {
    view: typedValue(body, 'view') === 'full' ? 'full' : 'summary',
    show_terms: body.show_terms === 'on' ? 'on' : '',
    agreed: body.agreed === 'on' ? 'on' : '',
  });
  if (action === 'back') return moveOn(at, saved, -1);
  if (action !== 'create') return stayOn(at);
  const again = { ...at, draft: saved };
  const state = await loadWizardState(db, saved);
  const report = await validityReport(db, staffOf(request), saved, state);
  if (report.errors.length)
    return show(again, { errors: { _form: 'Fix the errors below before creating the services.' } });
  if (saved.values.agreed !== 'on')
    return show(again, { errors: { agreed: 'Tick I Agree to the Terms and Conditions of these Services first.' } });
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
    at.reply.code(409);
    return show(again, { errors: { _form: error.message } });
  }
  return stayOn(at);
};
