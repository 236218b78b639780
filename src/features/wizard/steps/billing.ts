import { listPriceLists } from '../../catalogue/price-lists.ts';
import { saveWizardDraft } from '../drafts.ts';
import { isCustomerOnly, loadWizardState, validateBillingStep } from '../wizard.ts';
import { moveOn, renderStep, type StepHandlers, stayOn } from './page.ts';

/** C5 *Billing*: the price list the services are priced under, with what it charges. */
export const show: StepHandlers['show'] = async (at, data = {}) =>
  renderStep(at, {
    state: await loadWizardState(at.db, at.draft),
    priceLists: await listPriceLists(at.db),
    customerOnly: isCustomerOnly(at.draft.values),
    ...data,
  });

export const submit: StepHandlers['submit'] = async (at, body, action) => {
  const { db, draft } = at;
  const lists = await listPriceLists(db);
  const chosen = lists.find((l) => l.id === Number(body.price_list_id));
  const saved = chosen ? await saveWizardDraft(db, draft, { price_list_id: String(chosen.id) }) : draft;
  if (action === 'back') return moveOn(at, saved, -1);
  if (!chosen && body.price_list_id !== undefined)
    return show({ ...at, draft: saved }, { errors: { price_list_id: 'Choose a price list from the list.' } });
  if (action === 'change') {
    at.request.flash('success', `Priced under ${chosen?.name ?? 'the price list'}.`);
    return stayOn(at);
  }
  const errors = validateBillingStep(await loadWizardState(db, saved));
  if (errors) return show({ ...at, draft: saved }, { errors });
  return moveOn(at, saved, 1);
};
