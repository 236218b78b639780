import { z } from 'zod';
import type { StaffPrincipal } from '../../auth/principal.ts';
import { type CustomerRow, customersVisibleTo } from '../../auth/scope.ts';
import type { Queryable } from '../../db/index.ts';
import type { FieldErrors } from '../../lib/forms.ts';
import { type Progress, stepBySlug, stepInstead } from '../../lib/step-form.ts';
import { defaultPriceList, findPriceList, type PriceList, priceTable } from '../catalogue/price-lists.ts';
import { type Pricing, priceSelection } from '../catalogue/pricing.ts';
import { findServiceType, type ServiceType, type SettingValues, validateSettings } from '../catalogue/service-types.ts';
import { validateStep } from '../customers/customers.ts';
import { newAccountSteps } from '../customers/drafts.ts';
import { type CustomerListRow, normaliseTerm, searchCustomers } from '../customers/search.ts';
import type { DraftValues } from '../drafts/drafts.ts';
import { addNumbersToDraft, type WizardDraft } from './drafts.ts';
import { type DraftNumber, draftNumbers, numbersByIds, numbersInPools } from './queries.ts';

/** The wizard's tabs, in order (C1–C7); `slug` is the step's URL under /wizard/:draftId/. */
const steps = [
  { number: 1, slug: 'customer', title: 'Customer' },
  { number: 2, slug: 'service', title: 'Service' },
  { number: 3, slug: 'numbers', title: 'Numbers' },
  { number: 4, slug: 'settings', title: 'Settings' },
  { number: 5, slug: 'billing', title: 'Billing' },
  { number: 6, slug: 'creation', title: 'Creation' },
  { number: 7, slug: 'notifications', title: 'Notifications' },
] as const;
export type WizardStep = (typeof steps)[number];
export type StepSlug = WizardStep['slug'];
export const wizardSteps: readonly WizardStep[] = steps;
const creationStep = stepBySlug(steps, 'creation')!;

/** *Only Create a Customer Account* skips Numbers and Settings. */
export const isCustomerOnly = (values: DraftValues) => values.customer_only === '1';

function isSkipped(values: DraftValues, step: WizardStep): boolean {
  return isCustomerOnly(values) && (step.slug === 'numbers' || step.slug === 'settings');
}

/**
 * How far the wizard has come. Once the services exist, the earlier tabs are history: only Creation and
 * Notifications open, and Notifications opens only then.
 */
export function progressOf(draft: WizardDraft): Progress<WizardStep> {
  const skips = (step: WizardStep) => isSkipped(draft.values, step);
  return draft.createdServicesAt
    ? { reached: steps.length, firstOpen: creationStep.number, isSkipped: skips }
    : { reached: Math.min(draft.reachedStep, creationStep.number), isSkipped: skips };
}

/** Where a request for a tab goes instead, when the draft does not open it now; null when it does. */
export function tabInstead(draft: WizardDraft, step: WizardStep): WizardStep | null {
  // Notifications tells what creation did: until then, Creation is as far as the wizard goes.
  if (!draft.createdServicesAt && step.slug === 'notifications') return creationStep;
  return stepInstead(wizardSteps, step, progressOf(draft));
}

export const PIN_PATTERN = /^\d{4,8}$/;
export const pinField = z.object({ pin: z.string().trim().regex(PIN_PATTERN, 'Enter a PIN of 4 to 8 digits.') });
export const MAX_QUANTITY = 20;

/** The existing customer the draft names by account number, if the user may see it (tenant scoping). */
export async function existingCustomer(
  db: Queryable,
  user: StaffPrincipal,
  values: DraftValues,
): Promise<(CustomerRow & { pin_hash: string | null }) | undefined> {
  const accountNumber = (values.account_number ?? '').trim().toUpperCase();
  if (values.customer_mode !== 'existing' || !accountNumber) return undefined;
  return customersVisibleTo(db, user).where('customers.account_number', accountNumber).first();
}

export const CUSTOMER_MATCHES = 10;

/**
 * The user's customers matching what was typed into the Customer tab's search (name, account number,
 * Custom Account ID), through the one customer search; null until there are two characters to search on.
 */
export async function customerMatches(
  db: Queryable,
  user: StaffPrincipal,
  typed: string | undefined,
): Promise<{ term: string; customers: CustomerListRow[] } | null> {
  const term = normaliseTerm(typed ?? '');
  if (term.length < 2) return null;
  const found = await searchCustomers(db, user, term);
  return { term, customers: found.customers.slice(0, CUSTOMER_MATCHES) };
}

/**
 * *Customer* (C1): a new customer's details are checked by New Customer Account's own step checks
 * (reseller, details, Custom Account ID free within the reseller), plus a PIN; an existing customer
 * must be one of the user's own.
 */
export async function validateCustomerStep(
  db: Queryable,
  user: StaffPrincipal,
  values: DraftValues,
): Promise<FieldErrors | null> {
  if (values.customer_mode === 'existing') {
    if (!(await existingCustomer(db, user, values)))
      return {
        account_number: 'Find one of your customers by name, account number or Custom Account ID, and choose it.',
      };
    return null;
  }
  const errors: FieldErrors = {};
  for (const step of newAccountSteps.slice(0, 3)) Object.assign(errors, await validateStep(db, user, step, values));
  if (!values.pin_hash) errors.pin = 'Enter a PIN of 4 to 8 digits.';
  return Object.keys(errors).length ? errors : null;
}

/** Everything the later steps show and check, loaded once per request. */
export type WizardState = {
  serviceType: ServiceType | null;
  numbers: DraftNumber[];
  quantity: number;
  priceList: PriceList | null;
  pricing: Pricing;
};

export function quantityOf(values: DraftValues): number {
  const quantity = Number(values.quantity ?? '1');
  return Number.isInteger(quantity) && quantity >= 1 && quantity <= MAX_QUANTITY ? quantity : 1;
}

export async function loadWizardState(db: Queryable, draft: WizardDraft): Promise<WizardState> {
  const values = draft.values;
  const serviceType =
    !isCustomerOnly(values) && values.service_type_id
      ? ((await findServiceType(db, Number(values.service_type_id))) ?? null)
      : null;
  const numbers = serviceType ? await draftNumbers(db, draft.id) : [];
  const priceList =
    (values.price_list_id ? await findPriceList(db, Number(values.price_list_id)) : await defaultPriceList(db)) ?? null;
  const quantity = quantityOf(values);
  const table = priceList ? await priceTable(db, priceList.id) : { services: {}, grades: {} };
  const pricing = priceSelection(table, {
    serviceType,
    quantity: serviceType ? quantity : 0,
    grades: numbers.map((n) => n.grade),
  });
  return { serviceType, numbers, quantity, priceList, pricing };
}

/** *Service* (C2): a service type from the catalogue, or *Only Create a Customer Account*. */
export function validateServiceStep(values: DraftValues, state: WizardState): FieldErrors | null {
  if (isCustomerOnly(values) || state.serviceType) return null;
  return { service_type_id: 'Choose a service type, or Only Create a Customer Account.' };
}

/**
 * Adds the numbers the user could have been offered: in the public pool or in the pool of one of
 * `poolCustomerIds`. Returns whether all were added, and the numbers (as text) that someone else holds
 * or that were not the user's to take.
 */
export async function addOfferedNumbers(
  db: Queryable,
  draft: WizardDraft,
  ids: number[],
  poolCustomerIds: number[],
  defaults: SettingValues,
): Promise<{ allAdded: boolean; lost: string[] }> {
  const offered = await numbersInPools(db, ids, poolCustomerIds);
  const taken = await addNumbersToDraft(db, draft, offered, defaults);
  if (!taken.length && offered.length === ids.length) return { allAdded: true, lost: [] };
  const lost = ids.filter((id) => taken.includes(id) || !offered.includes(id));
  return { allAdded: false, lost: await numbersByIds(db, lost) };
}

/** *Numbers* (C3): at least one number, for a service type that needs numbers. */
export function validateNumbersStep(state: WizardState): FieldErrors | null {
  if (state.numbers.length || !state.serviceType?.needs_numbers) return null;
  return { numbers: 'Add at least one number for this service.' };
}

/** Settings field names: one per chosen number and setting, and the number's service. */
export const settingField = (numberId: number, key: string) => `n${numberId}_${key}`;
export const serviceField = (numberId: number) => `n${numberId}_service`;
/** The fields of one number on the Settings tab (its settings and its service). */
const isFieldOf = (numberId: number, field: string) => field.startsWith(`n${numberId}_`);

/**
 * Which service (1..quantity) each of `count` numbers goes to, spread evenly in number order: runs of
 * neighbouring numbers share a service, and every service gets one when there are enough numbers.
 */
export function spreadEvenly(count: number, quantity: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.floor((i * quantity) / count) + 1);
}

/** The services (1..quantity) no number goes to. */
export function servicesWithoutNumbers(state: WizardState): number[] {
  const used = new Set(state.numbers.map((n) => n.service_index));
  return Array.from({ length: state.quantity }, (_, i) => i + 1).filter((index) => !used.has(index));
}

/**
 * *Settings* (C4): every number's settings by their kind, a service for each number, and (for a type
 * that needs numbers) a number for each service. With `onlyNumberId`, just that number's fields: its
 * *Update* checks the one number, and *Next* checks the whole set.
 */
export function validateSettingsStep(state: WizardState, onlyNumberId?: number): FieldErrors | null {
  const errors: FieldErrors = {};
  if (!state.serviceType) return null;
  for (const n of state.numbers) {
    const result = validateSettings(state.serviceType.settings, n.settings);
    if (!result.ok)
      for (const [key, message] of Object.entries(result.errors)) errors[settingField(n.id, key)] = message;
    if (n.service_index > state.quantity) errors[serviceField(n.id)] = `Choose a service from 1 to ${state.quantity}.`;
  }
  const empty = servicesWithoutNumbers(state);
  if (state.serviceType.needs_numbers && state.numbers.length && empty.length)
    errors.quantity = `Service ${empty.join(', ')} of ${state.quantity} would have no numbers. Choose it for a number below, add numbers on the Numbers tab, or lower the quantity.`;
  if (onlyNumberId !== undefined)
    for (const field of Object.keys(errors)) if (!isFieldOf(onlyNumberId, field)) delete errors[field];
  return Object.keys(errors).length ? errors : null;
}

export const quantityField = z.object({
  quantity: z.coerce
    .number({ error: `Enter how many services, from 1 to ${MAX_QUANTITY}.` })
    .int(`Enter how many services, from 1 to ${MAX_QUANTITY}.`)
    .min(1, `Enter how many services, from 1 to ${MAX_QUANTITY}.`)
    .max(MAX_QUANTITY, `Enter how many services, from 1 to ${MAX_QUANTITY}.`),
});

/** *Billing* (C5): a price list that exists. */
export function validateBillingStep(state: WizardState): FieldErrors | null {
  return state.priceList ? null : { price_list_id: 'Choose a price list.' };
}
