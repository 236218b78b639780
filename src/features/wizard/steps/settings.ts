import { type FieldErrors, parseForm } from '../../../lib/forms.ts';
import { typedValue } from '../../../lib/step-form.ts';
import { validateSettings } from '../../catalogue/service-types.ts';
import { saveDraftNumber, saveWizardDraft } from '../drafts.ts';
import {
  loadWizardState,
  MAX_QUANTITY,
  quantityField,
  serviceField,
  settingField,
  validateSettingsStep,
} from '../wizard.ts';
import { moveOn, renderStep, type StepHandlers, stayOn, stepUrl } from './page.ts';

/** C4 *Settings*: every chosen number's settings and the service it goes to, and how many services. */
export const show: StepHandlers['show'] = async (at, data = {}) => {
  const state = await loadWizardState(at.db, at.draft);
  if (!state.serviceType) return at.reply.redirect(stepUrl(at.draft.id, 'service'), 303);
  return renderStep(at, { state, settingField, serviceField, maxQuantity: MAX_QUANTITY, ...data });
};

export const submit: StepHandlers['submit'] = async (at, body, action) => {
  const { db, draft } = at;
  const state = await loadWizardState(db, draft);
  if (!state.serviceType) return at.reply.seeOther(stepUrl(draft.id, 'service'));
  const quantityText = typedValue(body, 'quantity') || '1';
  const errors: FieldErrors = {};
  const quantity = parseForm(quantityField, { quantity: quantityText });
  if (!quantity.ok) Object.assign(errors, quantity.errors);
  for (const n of state.numbers) {
    const typed = Object.fromEntries(state.serviceType.settings.map((s) => [s.key, body[settingField(n.id, s.key)]]));
    const checked = validateSettings(state.serviceType.settings, typed);
    const serviceIndex = Number(typedValue(body, serviceField(n.id)) || '1');
    await saveDraftNumber(
      db,
      draft,
      n.id,
      checked.values,
      Number.isInteger(serviceIndex) && serviceIndex >= 1 ? serviceIndex : 1,
    );
  }
  const saved = await saveWizardDraft(db, draft, { quantity: quantityText });
  if (action === 'back') return moveOn(at, saved, -1);
  Object.assign(errors, quantity.ok ? validateSettingsStep(await loadWizardState(db, saved)) : {});
  if (action === 'update' && !Object.keys(errors).length) {
    at.request.flash('success', 'Settings updated.');
    return stayOn(at);
  }
  if (Object.keys(errors).length) return show({ ...at, draft: saved }, { errors, typedQuantity: quantityText });
  return moveOn(at, saved, 1);
};
