/**
 * Audited records and fields in words a user knows (F3): "Payment added", "Custom account ID", never a
 * table or column name. Every history view (the Customer Module's Metrics, the per-user audit) uses these.
 */
const recordLabels: Record<string, string> = {
  customers: 'Customer account',
  locations: 'Location',
  contacts: 'User',
  contact_profiles: 'Contact profile',
  customer_links: 'Linked entity',
  notes: 'Note',
  letters: 'Letter',
  tickets: 'Task ticket',
  ticket_comments: 'Ticket comment',
  documents: 'Document',
  facilities: 'Facility',
  alerts: 'Alert',
  payments: 'Payment',
  refunds: 'Refund',
  invoices: 'Invoice',
  credits: 'Credit',
  payment_methods: 'Payment method',
  autopay_configurations: 'Autopay configuration',
  services: 'Service',
  service_numbers: 'Service number',
  phone_numbers: 'Phone number',
  service_types: 'Service type',
  service_type_settings: 'Service type setting',
  price_lists: 'Price list',
  price_list_items: 'Price list item',
  institutions: 'Institution',
  groups: 'Group',
  external_customer_numbers: 'External customer number',
  users: 'Staff user',
  settings: 'Setting',
  report_runs: 'Report run',
  tax_rates: 'Tax rate',
  tax_exemptions: 'Tax exemption',
  usage_rates: 'Usage rate',
};

/** The kinds of record a history can be filtered by, in the order a list shows them. */
export const recordKinds = Object.entries(recordLabels)
  .map(([entity, label]) => ({ entity, label }))
  .sort((a, b) => a.label.localeCompare(b.label));

export function recordLabel(entity: string): string {
  return recordLabels[entity] ?? entity.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** The record an event is about: the customer's own account needs no number, other records show theirs. */
export function recordName(entity: string, id: number): string {
  return entity === 'customers' ? recordLabel(entity) : `${recordLabel(entity)} #${id}`;
}

const fieldWords: Record<string, string> = {
  pin_hash: 'PIN',
  password_hash: 'Password',
  custom_account_id: 'Custom Account ID',
  paid_on: 'Date',
  amount_cents: 'Amount',
  open_cents: 'Open balance',
  total_cents: 'Total',
  remaining_cents: 'Remaining',
  monthly_cents: 'Monthly price',
  setup_cents: 'Set-up price',
  is_bill_to: 'Bill To',
  is_corporate: 'Corporate account',
  last4: 'Last four digits',
  rate_millipercent: 'Rate (thousandths of a percent)',
  per_minute_millicents: 'Price a minute (thousandths of a cent)',
  certificate_ref: 'Certificate reference',
};

/** A column in words: "sales_person" is "Sales person", "institution_id" is "Institution". */
export function fieldLabel(field: string): string {
  if (fieldWords[field]) return fieldWords[field];
  const words = field
    .replace(/_id$/, '')
    .replace(/_cents$/, '')
    .replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const actionWords: Record<string, string> = {
  create: 'Added',
  update: 'Changed',
  status: 'Status changed',
  delete: 'Deleted',
};

/** What an audit event did, in words ("Changed", not "update"). */
export function actionLabel(action: string): string {
  return actionWords[action] ?? action.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
}
