import type { StaffPrincipal } from '../../auth/principal.ts';
import type { Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import { formatCents } from '../../lib/money.ts';
import { validateSettings } from '../catalogue/service-types.ts';
import { findOrg } from '../institutions/queries.ts';
import { gradeLabels } from '../numbers/grades.ts';
import type { WizardDraft } from './drafts.ts';
import {
  existingCustomer,
  isCustomerOnly,
  type StepSlug,
  servicesWithoutNumbers,
  validateCustomerStep,
  type WizardState,
} from './wizard.ts';

/** One problem the *Creation* tab reports, with the tab where it is fixed. */
export type Finding = { text: string; step: StepSlug };

export type ValidityReport = {
  /** Block *Create Services*. */
  errors: Finding[];
  /** Minor faults: creation goes ahead once they have been read. */
  warnings: Finding[];
  /** The short summary (the default view). */
  summary: string[];
  /** Every effect creation will have (*Show the Full Validity Report*). */
  effects: string[];
};

/** "Birmingham University, group Genomics Lab": the institution and group a new customer goes in (A5), if any. */
async function orgNames(db: Queryable, values: WizardDraft['values']): Promise<string | null> {
  const institution = Number(values.institution_id)
    ? await findOrg(db, 'institution', Number(values.institution_id))
    : undefined;
  const group = Number(values.group_id) ? await findOrg(db, 'group', Number(values.group_id)) : undefined;
  const names = [institution?.name, group && `group ${group.name}`].filter(Boolean);
  return names.length ? names.join(', ') : null;
}

/**
 * Checks the whole draft as it stands now (F1: every problem at once, each with the tab that fixes it):
 * the customer, the service, whether each number is still the draft's, every number's settings, and
 * whether the price list prices everything chosen.
 */
export async function validityReport(
  db: Queryable,
  user: StaffPrincipal,
  draft: WizardDraft,
  state: WizardState,
  now = nowIso(),
): Promise<ValidityReport> {
  const values = draft.values;
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const summary: string[] = [];
  const effects: string[] = [];

  const existing = await existingCustomer(db, user, values);
  const customerErrors = { ...(await validateCustomerStep(db, user, values)) };
  const hasPin = Boolean(values.pin_hash || existing?.pin_hash);
  delete customerErrors.pin;
  for (const message of Object.values(customerErrors)) errors.push({ text: `Customer: ${message}`, step: 'customer' });
  if (!hasPin) errors.push({ text: 'The customer has no PIN. Enter one on the Customer tab.', step: 'customer' });
  const customerName = existing?.name ?? values.name ?? 'the new customer';
  if (existing) {
    summary.push(`Adds to the existing customer ${existing.name} (${existing.account_number}).`);
    effects.push(`Uses the existing customer ${existing.name} (${existing.account_number}).`);
    if (values.pin_hash) effects.push(`Sets the PIN of ${existing.name}.`);
  } else {
    const reseller = values.reseller_id
      ? await db('resellers')
          .where({ id: Number(values.reseller_id) })
          .first('name')
      : user.resellerId
        ? await db('resellers').where({ id: user.resellerId }).first('name')
        : undefined;
    summary.push(`Creates the customer account ${customerName}${reseller ? ` for ${reseller.name}` : ''}.`);
    effects.push(
      `Creates the ${values.kind === 'personal' ? 'personal' : 'business'} customer account ${customerName}${reseller ? ` belonging to ${reseller.name}` : ''}, with a new account number.`,
    );
    effects.push(
      `Records the Bill To address ${[values.line1, values.city, values.postal_code].filter(Boolean).join(', ')}.`,
    );
    if (values.email)
      effects.push(
        `Records the e-mail address ${values.email}${values.phone ? ` and the phone number ${values.phone}` : ''}.`,
      );
    if (values.custom_account_id) effects.push(`Gives it the Customer Account ID ${values.custom_account_id}.`);
    const orgs = await orgNames(db, values);
    if (orgs) {
      summary.push(`Puts it in ${orgs}.`);
      effects.push(`Puts it in ${orgs}: its external customer number comes from there.`);
    }
    effects.push('Stores the PIN (hashed: nobody can read it back).');
  }

  const { serviceType, numbers, quantity, priceList, pricing } = state;
  if (isCustomerOnly(values)) {
    summary.push('Creates no services: only the customer account.');
  } else if (!serviceType) {
    errors.push({
      text: 'No service type is chosen. Choose one on the Service tab, or Only Create a Customer Account.',
      step: 'service',
    });
  } else {
    summary.push(
      `${quantity === 1 ? 'One' : quantity} ${serviceType.name} service${quantity === 1 ? '' : 's'} with ${numbers.length} number${numbers.length === 1 ? '' : 's'}: ${numbers.map((n) => n.number).join(', ') || 'none'}.`,
    );
    effects.push(`Creates ${quantity} ${serviceType.name} service${quantity === 1 ? '' : 's'} for ${customerName}.`);
    if (!numbers.length && serviceType.needs_numbers)
      errors.push({ text: 'No numbers are chosen. Add at least one on the Numbers tab.', step: 'numbers' });
    for (const n of numbers) {
      const ours = n.status === 'reserved' && n.reserved_by_draft === draft.id && (n.reserved_until ?? '') > now;
      const lapsed = n.status === 'available' || (n.status === 'reserved' && (n.reserved_until ?? '') <= now);
      if (!ours && !lapsed)
        errors.push({
          text: `${n.number} has been taken by someone else since it was added. Remove it on the Numbers tab and choose another.`,
          step: 'numbers',
        });
      else if (lapsed)
        warnings.push({
          text: `The reservation of ${n.number} lapsed. It is still free and is taken when the services are created, if nobody takes it first.`,
          step: 'numbers',
        });
      if (n.pool_customer_id !== null && n.pool_customer_id !== existing?.id) {
        errors.push({
          text: `${n.number} is in another customer's pool and can only go to that customer. Remove it on the Numbers tab.`,
          step: 'numbers',
        });
      }
      const checked = validateSettings(serviceType.settings, n.settings);
      if (!checked.ok) {
        for (const [key, message] of Object.entries(checked.errors)) {
          const label = serviceType.settings.find((s) => s.key === key)?.label ?? key;
          errors.push({ text: `${n.number}: ${label}: ${message}`, step: 'settings' });
        }
      }
      const atDefault = serviceType.settings
        .filter((s) => s.default_value !== '' && n.settings[s.key] === s.default_value)
        .map((s) => s.label);
      if (atDefault.length)
        warnings.push({
          text: `${n.number}: ${atDefault.join(', ')} left at ${atDefault.length === 1 ? 'its default' : 'their defaults'}.`,
          step: 'settings',
        });
      const shown = serviceType.settings
        .map((s) => `${s.label.toLowerCase()} ${n.settings[s.key] || '(none)'}`)
        .join(', ');
      effects.push(
        `Assigns ${n.number} (${gradeLabels[n.grade]}) to service ${n.service_index}${quantity > 1 ? ` of ${quantity}` : ''}: ${shown}.`,
      );
    }
    if (serviceType.needs_numbers && numbers.length)
      for (const index of servicesWithoutNumbers(state))
        errors.push({
          text: `Service ${index} of ${quantity} has no numbers, and a ${serviceType.name} service needs at least one. Choose it for a number on the Settings tab, or lower the quantity.`,
          step: 'settings',
        });
  }

  if (!priceList) {
    errors.push({ text: 'No price list is chosen. Choose one on the Billing tab.', step: 'billing' });
  } else if (!isCustomerOnly(values)) {
    for (const item of pricing.missing)
      errors.push({
        text: `The price list ${priceList.name} has no price for ${item}. Choose another price list on the Billing tab.`,
        step: 'billing',
      });
    const charges = `${formatCents(pricing.monthly_cents)} a month and ${formatCents(pricing.setup_cents)} set-up under ${priceList.name}`;
    summary.push(`Charges ${charges}.`);
    for (const line of pricing.lines)
      effects.push(
        `Charges ${line.label} × ${line.quantity}: ${formatCents(line.monthly_cents)} a month, ${formatCents(line.setup_cents)} set-up.`,
      );
    effects.push(`In all: ${charges}.`);
  }
  return { errors, warnings, summary, effects };
}
