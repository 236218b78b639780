import { parseCents } from '../../../lib/money.ts';

/**
 * The Autopay rule engine (E12, F2): one pure function decides, for every open invoice, which
 * configuration pays it or why it is skipped. The daily cycle, the dry run, the Invoice Summary's
 * Autopay flags (E6) and the Payments Calendar forecast (E9) all call it, so they cannot disagree.
 */

export const triggers = ['contract', 'amount', 'line_item', 'age'] as const;
export type Trigger = (typeof triggers)[number];
export const operators = [
  'equals',
  'not_equals',
  'greater_than',
  'less_than',
  'at_least',
  'at_most',
  'contains',
  'one_of',
] as const;
export type Operator = (typeof operators)[number];

export const triggerLabels: Record<Trigger, string> = {
  contract: 'Contract',
  amount: 'Dollar Amount',
  line_item: 'Invoice Line Item Name',
  age: 'Invoice Age (days)',
};
export const operatorLabels: Record<Operator, string> = {
  equals: 'equals',
  not_equals: 'not equals',
  greater_than: 'greater than',
  less_than: 'less than',
  at_least: 'at least',
  at_most: 'at most',
  contains: 'contains',
  one_of: 'one of',
};

const numericTriggers: readonly Trigger[] = ['amount', 'age'];
const numericOperators: readonly Operator[] = operators.filter((o) => o !== 'contains');
const textOperators: readonly Operator[] = ['equals', 'not_equals', 'contains', 'one_of'];

/** The operators that make sense for a trigger: numbers compare, names match. */
export function operatorsFor(trigger: Trigger): readonly Operator[] {
  return numericTriggers.includes(trigger) ? numericOperators : textOperators;
}

/** One row of a configuration: "Dollar Amount greater than 250". Values are kept as the user typed them. */
export type Condition = { trigger: Trigger; operator: Operator; values: string[] };

/**
 * Why a condition cannot be used, or null. `knownLineItems` (lower-cased) is given when saving, so a
 * line item name must be one the customer has been billed for; the engine checks only the shape.
 */
export function conditionProblem(condition: Condition, knownLineItems?: ReadonlySet<string>): string | null {
  const { trigger, operator, values } = condition;
  if (!triggers.includes(trigger)) return 'Choose a trigger.';
  if (!operatorsFor(trigger).includes(operator))
    return `“${operatorLabels[operator] ?? operator}” does not apply here.`;
  if (values.length === 0) return 'Enter a value.';
  if (values.length > 1 && operator !== 'one_of') return 'Only “one of” takes several values.';
  for (const value of values) {
    if (trigger === 'amount' && parseCents(value) === null) return `“${value}” is not a dollar amount.`;
    if (trigger === 'age' && !/^\d{1,4}$/.test(value)) return `“${value}” is not a number of days.`;
    if (trigger === 'line_item' && knownLineItems && !knownLineItems.has(value.toLowerCase()))
      return `“${value}” is not a line item on this customer’s invoices.`;
  }
  return null;
}

export type AutopayInvoice = {
  id: number;
  number: string;
  customerId: number;
  totalCents: number;
  openCents: number;
  /** Promised by pending and by scheduled payments. */
  pendingCents: number;
  scheduledCents: number;
  issuedOn: string;
  /** The contract reference the customer billed under (the purchase order #). */
  contract: string | null;
  lineItems: string[];
  /** An Autopay payment already exists for this invoice and cycle date (whatever became of it). */
  triedThisCycle: boolean;
};

export type AutopayMethod = {
  id: number;
  kind: 'card' | 'ach';
  label: string;
  /** Removed or replaced by an edit: it can no longer be charged. */
  removed: boolean;
  expMonth: number | null;
  expYear: number | null;
};

export type AutopayConfiguration = {
  id: number;
  customerId: number;
  position: number;
  disabled: boolean;
  conditions: Condition[];
  method: AutopayMethod;
};

export type SkipReason = 'paid' | 'pending' | 'scheduled' | 'tried' | 'no_match' | 'method_expired';

export type AutopayDecision =
  | { invoice: AutopayInvoice; action: 'pay'; configurationId: number; method: AutopayMethod; amountCents: number }
  | { invoice: AutopayInvoice; action: 'skip'; reason: SkipReason; configurationId: number | null };

export const skipReasonTexts: Record<SkipReason, string> = {
  paid: 'it is paid',
  pending: 'a payment on it is pending',
  scheduled: 'a payment on it is scheduled',
  tried: 'this cycle already tried it',
  no_match: 'no enabled configuration matches it',
  method_expired: 'the payment method of the matching configuration has expired or was removed',
};

/** Whole days from the invoice date to `today`. */
export function invoiceAgeDays(issuedOn: string, today: string): number {
  return Math.floor((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${issuedOn}T00:00:00Z`)) / 86_400_000);
}

function compareNumber(operator: Operator, actual: number, wanted: number[]): boolean {
  const [first] = wanted;
  switch (operator) {
    case 'equals':
      return actual === first;
    case 'not_equals':
      return actual !== first;
    case 'greater_than':
      return actual > first;
    case 'less_than':
      return actual < first;
    case 'at_least':
      return actual >= first;
    case 'at_most':
      return actual <= first;
    case 'one_of':
      return wanted.includes(actual);
    default:
      return false;
  }
}

function matchesText(operator: Operator, actual: string, wanted: string[]): boolean {
  const value = actual.toLowerCase();
  if (operator === 'contains') return value.includes(wanted[0]);
  return wanted.includes(value);
}

/** Does one condition hold for the invoice on `today`? A malformed condition never holds. */
export function conditionHolds(condition: Condition, invoice: AutopayInvoice, today: string): boolean {
  if (conditionProblem(condition) !== null) return false;
  const { trigger, operator, values } = condition;
  if (trigger === 'amount')
    return compareNumber(
      operator,
      invoice.totalCents,
      values.map((v) => parseCents(v) as number),
    );
  if (trigger === 'age') return compareNumber(operator, invoiceAgeDays(invoice.issuedOn, today), values.map(Number));
  const wanted = values.map((v) => v.toLowerCase());
  const names = trigger === 'contract' ? [invoice.contract ?? ''] : invoice.lineItems;
  // "not equals" holds when no name equals a value; the other operators when some name matches.
  if (operator === 'not_equals') return !names.some((name) => matchesText('equals', name, wanted));
  return names.some((name) => matchesText(operator, name, wanted));
}

/** Every row must hold (E12 *Advanced*); a configuration without rows never matches. */
export function configurationMatches(configuration: AutopayConfiguration, invoice: AutopayInvoice, today: string) {
  return (
    configuration.conditions.length > 0 && configuration.conditions.every((c) => conditionHolds(c, invoice, today))
  );
}

export function methodUsable(method: AutopayMethod, today: string): boolean {
  if (method.removed) return false;
  if (method.expYear === null || method.expMonth === null) return true;
  const [year, month] = today.split('-').map(Number);
  return method.expYear > year || (method.expYear === year && method.expMonth >= month);
}

/**
 * The configurations, enabled and for the invoice's customer, that hold for it, in precedence order
 * (the Invoice Summary lists them; the first one is what pays).
 */
export function matchingConfigurations<C extends AutopayConfiguration>(
  invoice: AutopayInvoice,
  configurations: readonly C[],
  today: string,
): C[] {
  return configurations
    .filter((c) => c.customerId === invoice.customerId && !c.disabled && configurationMatches(c, invoice, today))
    .sort((a, b) => a.position - b.position || a.id - b.id);
}

/** The decision for one invoice on `today`. */
export function decideInvoice(
  invoice: AutopayInvoice,
  configurations: readonly AutopayConfiguration[],
  today: string,
): AutopayDecision {
  const skip = (reason: SkipReason, configurationId: number | null = null): AutopayDecision => ({
    invoice,
    action: 'skip',
    reason,
    configurationId,
  });
  if (invoice.openCents <= 0) return skip('paid');
  if (invoice.triedThisCycle) return skip('tried');
  if (invoice.pendingCents > 0) return skip('pending');
  if (invoice.scheduledCents > 0) return skip('scheduled');
  const matching = matchingConfigurations(invoice, configurations, today);
  if (matching.length === 0) return skip('no_match');
  // First match wins; a later configuration that also holds is ignored (nothing pays twice), even when
  // the first one's method can no longer be charged: paying with another method would surprise the customer.
  const [first] = matching;
  if (!methodUsable(first.method, today)) return skip('method_expired', first.id);
  const amountCents = invoice.openCents - invoice.pendingCents - invoice.scheduledCents;
  return { invoice, action: 'pay', configurationId: first.id, method: first.method, amountCents };
}

/** The plan of one cycle on `today`: a decision for every invoice, in the order given. */
export function planAutopay(input: {
  invoices: readonly AutopayInvoice[];
  configurations: readonly AutopayConfiguration[];
  today: string;
}): AutopayDecision[] {
  const byCustomer = new Map<number, AutopayConfiguration[]>();
  for (const c of input.configurations) {
    const list = byCustomer.get(c.customerId) ?? [];
    list.push(c);
    byCustomer.set(c.customerId, list);
  }
  return input.invoices.map((invoice) => decideInvoice(invoice, byCustomer.get(invoice.customerId) ?? [], input.today));
}
