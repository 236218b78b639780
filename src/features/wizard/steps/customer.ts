import { staffOf } from '../../../auth/guards.ts';
import { type FieldErrors, parseForm } from '../../../lib/forms.ts';
import { forbidden } from '../../../lib/http-error.ts';
import { hashPassword } from '../../../lib/password.ts';
import { typedValue, typedValues } from '../../../lib/step-form.ts';
import { resellerOptions, staffChoosesReseller } from '../../customers/customers.ts';
import { countries } from '../../customers/schemas.ts';
import type { DraftValues } from '../../drafts/drafts.ts';
import { saveWizardDraft } from '../drafts.ts';
import { existingCustomer, pinField, validateCustomerStep } from '../wizard.ts';
import { moveOn, renderStep, type StepHandlers, stayOn } from './page.ts';

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
];

/** C1 *Customer*: a new customer's details and PIN, or an existing customer of the user's by account number. */
export const show: StepHandlers['show'] = async (at, data = {}) => {
  const user = staffOf(at.request);
  return renderStep(at, {
    choosesReseller: staffChoosesReseller(user),
    resellers: staffChoosesReseller(user) ? await resellerOptions(at.db) : [],
    countries,
    existing: await existingCustomer(at.db, user, at.draft.values),
    ...data,
  });
};

export const submit: StepHandlers['submit'] = async (at, body, action) => {
  const { db, draft } = at;
  const user = staffOf(at.request);
  if (!staffChoosesReseller(user) && body.reseller_id !== undefined && Number(body.reseller_id) !== user.resellerId)
    throw forbidden();
  const typed: DraftValues = { customer_mode: typedValue(body, 'customer_mode') === 'existing' ? 'existing' : 'new' };
  // Only the shown form's fields are in the body; the other mode's values stay as they were.
  if ('account_number' in body) typed.account_number = typedValue(body, 'account_number').trim().toUpperCase();
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
  if (action === 'update') return stayOn(at);
  Object.assign(errors, await validateCustomerStep(db, user, saved.values));
  if (Object.keys(errors).length) return show({ ...at, draft: saved }, { errors });
  return moveOn(at, saved, 1);
};
