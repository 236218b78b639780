/**
 * Every reportable field of a Custom Report (B5), in the default column order: a new report includes
 * them all, Custom Account ID first. Each is one column of the report's query (rows.ts).
 */
export const reportFields = [
  { key: 'custom_account_id', label: 'Custom Account ID' },
  { key: 'account_number', label: 'Account Number' },
  { key: 'name', label: 'Name' },
  { key: 'status', label: 'Status' },
  { key: 'kind', label: 'Kind' },
  { key: 'reseller', label: 'Reseller' },
  { key: 'external_number', label: 'External Customer Number' },
  { key: 'external_number_source', label: 'External Number Source' },
  { key: 'bill_to', label: 'Bill To Address' },
  { key: 'billing_contact', label: 'Billing Contact' },
  { key: 'services', label: 'Services' },
  { key: 'numbers', label: 'Numbers' },
  { key: 'recurring', label: 'Recurring Charges' },
  { key: 'invoiced', label: 'Invoiced' },
  { key: 'paid', label: 'Paid' },
  { key: 'open_balance', label: 'Open Balance' },
  { key: 'past_due', label: 'Past Due' },
  { key: 'oldest_invoice', label: 'Oldest Invoice' },
] as const satisfies readonly { key: string; label: string }[];

export type FieldKey = (typeof reportFields)[number]['key'];
export const fieldKeys = reportFields.map((f) => f.key) as FieldKey[];
const byKey = new Map(reportFields.map((f) => [f.key as string, f]));

export function isFieldKey(key: string): key is FieldKey {
  return byKey.has(key);
}

export function fieldLabel(key: FieldKey): string {
  return byKey.get(key)!.label;
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
