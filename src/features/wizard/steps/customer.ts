import { staffOf } from '../../../auth/guards.ts';
import { type FieldErrors, parseForm } from '../../../lib/forms.ts';
import { forbidden } from '../../../lib/http-error.ts';
import { hashPassword } from '../../../lib/password.ts';
import { typedValue, typedValues } from '../../../lib/step-form.ts';
import { resellerOptions, staffChoosesReseller } from '../../customers/customers.ts';
import { countries } from '../../customers/schemas.ts';
import type { DraftValues } from '../../drafts/drafts.ts';
import { orgPicker } from '../../institutions/picker.ts';
import { saveWizardDraft } from '../drafts.ts';
import { customerSearchQuery } from '../schemas.ts';
import { customerMatches, existingCustomer, pinField, validateCustomerStep } from '../wizard.ts';
import { moveOn, renderStep, type StepHandlers, type StepRequest, stayOn } from './page.ts';

/** The fields of the customer form (C1), as New Customer Account names them, plus the wizard's own. */
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
  'institution_id',
  'group_id',
  'institution_q',
  'group_q',
];

/** C1 *Customer*: a new customer's details and PIN, or an existing customer of the user's, found by a search. */
export const show: StepHandlers['show'] = async (at, data = {}) => {
  const user = staffOf(at.request);
  const existingMode = at.draft.values.customer_mode === 'existing';
  return renderStep(at, {
    choosesReseller: staffChoosesReseller(user),
    resellers: staffChoosesReseller(user) ? await resellerOptions(at.db) : [],
    countries,
    existing: await existingCustomer(at.db, user, at.draft.values),
    matches: existingMode ? await customerMatches(at.db, user, at.draft.values.customer_q) : null,
    picker: existingMode ? null : await orgPicker(at.db, at.draft.values),
    ...data,
  });
};

/** The type-ahead's answer (htmx): the customers matching the typed term, as the tab itself lists them. */
export async function matches(at: StepRequest) {
  const { customer_q: typed } = customerSearchQuery.parse(at.request.query);
  return at.reply.page('wizard/_customer-matches', {
    matches: await customerMatches(at.db, staffOf(at.request), typed),
  });
}

export const submit: StepHandlers['submit'] = async (at, body, action) => {
  const { db, draft } = at;
  const user = staffOf(at.request);
  if (!staffChoosesReseller(user) && body.reseller_id !== undefined && Number(body.reseller_id) !== user.resellerId)
    throw forbidden();
  const typed: DraftValues = { customer_mode: typedValue(body, 'customer_mode') === 'existing' ? 'existing' : 'new' };
  // Only the shown form's fields are in the body; the other mode's values stay as they were.
  if ('customer_q' in body) typed.customer_q = typedValue(body, 'customer_q');
  // *Choose* on a search result names the customer; a typed account number (older forms) still counts.
  const chosen = 'choose_customer' in body ? typedValue(body, 'choose_customer') : typedValue(body, 'account_number');
  if ('choose_customer' in body || 'account_number' in body) typed.account_number = chosen.trim().toUpperCase();
  if ('name' in body) Object.assign(typed, typedValues(newCustomerFields, body));
  if ('reseller_id' in body && staffChoosesReseller(user)) typed.reseller_id = typedValue(body, 'reseller_id');
  let saved = await saveWizardDraft(db, draft, typed);
  // The PIN is kept only as a hash, once valid; a blank field keeps the one entered before.
  const errors: FieldErrors = {};
  const pin = typedValue(body, 'pin');
  if (pin) {
    const checked = parseForm(pinField, { pin });
    if (checked.ok) saved = await saveWizardDraft(db, saved, { pin_hash: await hashPassword(checked.data.pin) });
    else errors.pin = checked.errors.pin;
  }
  if (action === 'update' || action === 'find' || 'choose_customer' in body) return stayOn(at);
  Object.assign(errors, await validateCustomerStep(db, user, saved.values));
  // The PIN comes back as typed, like every other field (only its hash is stored).
  if (Object.keys(errors).length) return show({ ...at, draft: saved }, { errors, typedPin: pin });
  return moveOn(at, saved, 1);
};
