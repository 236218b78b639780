import { defaultSettings, listServiceTypes } from '../../catalogue/service-types.ts';
import type { DraftValues } from '../../drafts/drafts.ts';
import { removeNumbersFromDraft, resetDraftNumberSettings, saveWizardDraft } from '../drafts.ts';
import { loadWizardState, validateServiceStep } from '../wizard.ts';
import { moveOn, renderStep, type StepHandlers, stayOn } from './page.ts';

/**
 * C2 *Service*: a service type from the catalogue, or *Only Create a Customer Account*. *Details* shows a
 * type's description beside the list (htmx swaps in the panel alone).
 */
export const show: StepHandlers['show'] = async (at, data = {}) => {
  const { values } = at.draft;
  const types = await listServiceTypes(at.db);
  const detailsId = Number(values.details_id ?? values.service_type_id);
  const details = values.details_id ? types.find((t) => t.id === detailsId) : undefined;
  if (at.request.isHtmx && data.fragment) return at.reply.page('wizard/_product-details', { details });
  return renderStep(at, { types, details, ...data });
};

export const submit: StepHandlers['submit'] = async (at, body, action) => {
  const { db, draft } = at;
  const types = await listServiceTypes(db);
  const chosen = types.find((t) => t.id === Number(body.service_type_id));
  const typed: DraftValues = {};
  if (chosen) {
    typed.service_type_id = String(chosen.id);
    typed.customer_only = '';
    // A different service type has different settings: the chosen numbers start again from its defaults.
    if (draft.values.service_type_id !== typed.service_type_id)
      await resetDraftNumberSettings(db, draft, defaultSettings(chosen.settings));
  }
  if (action === 'customer-only') {
    const { numbers } = await loadWizardState(db, draft);
    if (numbers.length)
      await removeNumbersFromDraft(
        db,
        draft,
        numbers.map((n) => n.id),
      );
    return moveOn(at, await saveWizardDraft(db, draft, { customer_only: '1', details_id: '' }), 1);
  }
  const showsDetails = action === 'choose' || action === 'details';
  if (showsDetails) typed.details_id = action === 'details' && chosen ? String(chosen.id) : '';
  const saved = await saveWizardDraft(db, draft, typed);
  if (showsDetails) {
    if (action === 'details' && !chosen)
      return show(
        { ...at, draft: saved },
        { errors: { service_type_id: 'Choose a service type to see its details.' } },
      );
    return at.request.isHtmx ? show({ ...at, draft: saved }, { fragment: true }) : stayOn(at);
  }
  if (action === 'back') return moveOn(at, saved, -1);
  const errors = validateServiceStep(saved.values, await loadWizardState(db, saved));
  if (errors) return show({ ...at, draft: saved }, { errors });
  return moveOn(at, saved, 1);
};
