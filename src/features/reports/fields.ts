/**
 * Every reportable field of a Custom Report (B5), in the default column order: a new report includes
 * them all, Custom Account ID first. Each belongs to a group that one batched query fills (rows.ts),
 * so a report loads only the groups its fields need.
 */
export const fieldGroups = ['customer', 'external', 'billTo', 'contact', 'services', 'invoices', 'payments'] as const;
export type FieldGroup = (typeof fieldGroups)[number];

export const reportFields = [
  { key: 'custom_account_id', label: 'Custom Account ID', group: 'customer' },
  { key: 'account_number', label: 'Account Number', group: 'customer' },
  { key: 'name', label: 'Name', group: 'customer' },
  { key: 'status', label: 'Status', group: 'customer' },
  { key: 'kind', label: 'Kind', group: 'customer' },
  { key: 'reseller', label: 'Reseller', group: 'customer' },
  { key: 'external_number', label: 'External Customer Number', group: 'external' },
  { key: 'external_number_source', label: 'External Number Source', group: 'external' },
  { key: 'bill_to', label: 'Bill To Address', group: 'billTo' },
  { key: 'billing_contact', label: 'Billing Contact', group: 'contact' },
  { key: 'services', label: 'Services', group: 'services' },
  { key: 'numbers', label: 'Numbers', group: 'services' },
  { key: 'recurring', label: 'Recurring Charges', group: 'services' },
  { key: 'invoiced', label: 'Invoiced', group: 'invoices' },
  { key: 'paid', label: 'Paid', group: 'payments' },
  { key: 'open_balance', label: 'Open Balance', group: 'invoices' },
  { key: 'past_due', label: 'Past Due', group: 'invoices' },
  { key: 'oldest_invoice', label: 'Oldest Invoice', group: 'invoices' },
] as const satisfies readonly { key: string; label: string; group: FieldGroup }[];

export type FieldKey = (typeof reportFields)[number]['key'];
export const fieldKeys = reportFields.map((f) => f.key) as FieldKey[];
const byKey = new Map(reportFields.map((f) => [f.key as string, f]));

export function isFieldKey(key: string): key is FieldKey {
  return byKey.has(key);
}

export function fieldLabel(key: FieldKey): string {
  return byKey.get(key)!.label;
}

/** The groups the chosen fields need. */
export function groupsOf(fields: readonly FieldKey[]): Set<FieldGroup> {
  return new Set(fields.map((key) => byKey.get(key)!.group));
}

/**
 * The fields in the order the form shows them: the submitted order first (a drag or an up/down move),
 * then any field the order left out, in the default order.
 */
export function orderedFieldKeys(order: readonly string[]): FieldKey[] {
  const known = [...new Set(order.filter(isFieldKey))];
  return [...known, ...fieldKeys.filter((key) => !known.includes(key))];
}

/** Moves one field a place up or down (the no-JavaScript reorder buttons). */
export function moveField(order: readonly FieldKey[], key: FieldKey, direction: 'up' | 'down'): FieldKey[] {
  const result = [...order];
  const from = result.indexOf(key);
  const to = direction === 'up' ? from - 1 : from + 1;
  if (from < 0 || to < 0 || to >= result.length) return result;
  [result[from], result[to]] = [result[to], result[from]];
  return result;
}
