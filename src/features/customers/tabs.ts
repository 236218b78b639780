/**
 * The tabs of a customer's page, in order. A tab is a real URL under /customers/:id; features add
 * theirs here (D4) and render their template with the `/customers/_customer` layout, passing `tab`.
 */
export const customerTabs = [
  { key: 'customer-information', label: 'Customer Information', path: '' },
  { key: 'products', label: 'Products', path: '/products' },
  { key: 'additional-information', label: 'Additional Information', path: '/additional-information' },
  // Its pages have their own sub-navigation (src/features/billing).
  { key: 'billing-information', label: 'Billing Information', path: '/billing' },
] as const;

export type CustomerTabKey = (typeof customerTabs)[number]['key'];

export function customerTabLinks(customerId: number, current: CustomerTabKey) {
  return customerTabs.map((tab) => ({ label: tab.label, href: `/customers/${customerId}${tab.path}`, current: tab.key === current }));
}
