import type { LandingTab } from '../../auth/principal.ts';

type TabCustomer = { id: number; is_corporate?: number | boolean | null };

/**
 * The tabs of a customer's page (D4), in the order of the source. A tab is a real URL under
 * /customers/:id; its template uses the `/customer-module/_frame` layout and passes `tab`. Features
 * that fill a tab (billing, the Add Services Wizard) keep its path and key.
 */
export const customerTabs = [
  { key: 'account-summary', label: 'Account Summary', path: '/account-summary' },
  { key: 'customer-information', label: 'Customer Information', path: '' },
  // E3: the customer's contacts and their contact profiles (src/features/contacts/).
  { key: 'contacts', label: 'Customer Details', path: '/contacts' },
  { key: 'locations', label: 'Locations', path: '/locations' },
  { key: 'linked-accounts', label: 'Linked Accounts', path: '/linked-accounts', corporateOnly: true },
  { key: 'communications', label: 'Communications', path: '/communications' },
  { key: 'tickets', label: 'Task Tickets', path: '/tickets' },
  { key: 'documents', label: 'Documents', path: '/documents' },
  { key: 'facilities', label: 'Facilities', path: '/facilities' },
  { key: 'orders', label: 'Orders', path: '/orders' },
  { key: 'billing', label: 'Billing Information', path: '/billing' },
  { key: 'products', label: 'Products', path: '/products' },
  { key: 'alerts', label: 'Alerts', path: '/alerts' },
  { key: 'users', label: 'Users', path: '/users' },
  { key: 'metrics', label: 'Metrics', path: '/metrics' },
  { key: 'additional-information', label: 'Additional Information', path: '/additional-information' },
] as const;

export type CustomerTabKey = (typeof customerTabs)[number]['key'];

export function customerTabPath(customerId: number, key: CustomerTabKey): string {
  return `/customers/${customerId}${customerTabs.find((tab) => tab.key === key)!.path}`;
}

/** The tab bar: *Linked Accounts* shows only on corporate accounts. */
export function customerTabLinks(customer: TabCustomer, current: CustomerTabKey) {
  return customerTabs
    .filter((tab) => !('corporateOnly' in tab) || Boolean(customer.is_corporate))
    .map((tab) => ({
      key: tab.key,
      label: tab.label,
      href: customerTabPath(customer.id, tab.key),
      current: tab.key === current,
    }));
}

/** Where opening a customer lands: the user's chosen tab (D3). */
export function landingTabPath(customerId: number, landingTab: LandingTab): string {
  return customerTabPath(customerId, landingTab);
}

/** Sub-tabs of a tab (Communications, Metrics, Billing Information): a row of links under the tab bar. */
export type SubTab = { key: string; label: string; path: string };

export function subTabLinks(customerId: number, base: CustomerTabKey, subTabs: readonly SubTab[], current: string) {
  return subTabs.map((s) => ({
    label: s.label,
    href: `${customerTabPath(customerId, base)}${s.path}`,
    current: s.key === current,
  }));
}

export const communicationsSubTabs = [
  { key: 'notes', label: 'Notes', path: '' },
  { key: 'letters', label: 'Letters', path: '/letters' },
] as const satisfies readonly SubTab[];

export const metricsSubTabs = [
  { key: 'status-changes', label: 'Status Changes', path: '' },
  { key: 'field-changes', label: 'Field Level Changes', path: '/field-changes' },
  { key: 'access-trail', label: 'User Access Trail', path: '/access-trail' },
  { key: 'activity-log', label: 'Activity Log', path: '/activity-log' },
] as const satisfies readonly SubTab[];

/** The sub-tabs of *Billing Information* (the ledger's staff pages draw them as a side menu). */
export const billingSubTabs = [
  { key: 'balance', label: 'Balance', path: '' },
  { key: 'open-invoices', label: 'Open Invoices', path: '/open-invoices' },
  { key: 'invoices', label: 'Invoices', path: '/invoices' },
  { key: 'transactions', label: 'Transactions', path: '/transactions' },
  { key: 'pending', label: 'Pending', path: '/pending' },
  { key: 'scheduled', label: 'Scheduled', path: '/scheduled' },
  { key: 'calendar', label: 'Payments Calendar', path: '/calendar' },
  { key: 'credits', label: 'Customer Credits', path: '/credits' },
  { key: 'unbilled-cdrs', label: 'Unbilled CDRs', path: '/unbilled-cdrs' },
  { key: 'credit-cards', label: 'Credit Cards', path: '/credit-cards' },
  { key: 'bank-accounts', label: 'Bank Accounts', path: '/bank-accounts' },
  { key: 'automatic-payments', label: 'Automatic Payments', path: '/automatic-payments' },
  { key: 'security-deposits', label: 'Security Deposits', path: '/security-deposits' },
] as const satisfies readonly SubTab[];
