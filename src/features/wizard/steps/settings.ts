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
  spreadEvenly,
  validateSettingsStep,
} from '../wizard.ts';
import { moveOn, renderStep, type StepHandlers, stayOn, stepUrl } from './page.ts';

/** C4 *Settings*: every chosen number's settings and the service it goes to, and how many services. */
export const show: StepHandlers['show'] = async (at, data = {}) => {
  const state = await loadWizardState(at.db, at.draft);
  if (!state.serviceType) return at.reply.redirect(stepUrl(at.draft.id, 'service'), 303);
  return renderStep(at, { state, settingField, serviceField, maxQuantity: MAX_QUANTITY, ...data });
};

/**
 * Every button saves everything typed. A number's *Update* checks that number alone; the *Update* by the
 * quantity checks the quantity; *Next* checks the whole set. A new quantity spreads the numbers evenly
 * over the services, and the tab shows the result before moving on.
 */
export const submit: StepHandlers['submit'] = async (at, body, action) => {
  const { db, draft } = at;
  const state = await loadWizardState(db, draft);
  if (!state.serviceType) return at.reply.seeOther(stepUrl(draft.id, 'service'));
  const quantityText = typedValue(body, 'quantity') || '1';
  const quantity = parseForm(quantityField, { quantity: quantityText });
  const respread = quantity.ok && quantity.data.quantity !== state.quantity;
  const spread = respread ? spreadEvenly(state.numbers.length, quantity.data.quantity) : [];
  for (const [i, n] of state.numbers.entries()) {
    const typed = Object.fromEntries(state.serviceType.settings.map((s) => [s.key, body[settingField(n.id, s.key)]]));
    const chosen = Number(typedValue(body, serviceField(n.id)) || n.service_index);
    const serviceIndex = respread ? spread[i] : Number.isInteger(chosen) && chosen >= 1 ? chosen : 1;
    await saveDraftNumber(db, draft, n.id, validateSettings(state.serviceType.settings, typed).values, serviceIndex);
  }
  const saved = await saveWizardDraft(db, draft, { quantity: quantityText });
  if (action === 'back') return moveOn(at, saved, -1);

  const updated = state.numbers.find((n) => String(n.id) === typedValue(body, 'update_number'));
  const next = action === 'next' && !updated;
  const errors: FieldErrors = quantity.ok ? {} : { ...quantity.errors };
  if (quantity.ok && (updated || next))
    Object.assign(errors, validateSettingsStep(await loadWizardState(db, saved), updated?.id));
  if (Object.keys(errors).length) return show({ ...at, draft: saved }, { errors, typedQuantity: quantityText });
  if (respread)
    at.request.flash(
      'success',
      `The numbers are spread evenly over ${quantity.data.quantity} services. Choose another service for any number below.`,
    );
  else if (updated) at.request.flash('success', `Settings of ${updated.number} updated.`);
  else if (!next) at.request.flash('success', 'Settings updated.');
  return respread || !next ? stayOn(at) : moveOn(at, saved, 1);
};
