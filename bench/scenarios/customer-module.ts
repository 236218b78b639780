import { HEAVY_CUSTOMER_NAME } from '../../seeds/large/50-customer-module.ts';
import { landingTabPath } from '../../src/features/customer-module/tabs.ts';
import { randomCustomerIds } from '../sample.ts';
import type { BenchContext, Scenario } from '../types.ts';

/**
 * The Customer Module (D): opening a customer with 1,000 notes, 500 documents and 10,000 audit events
 * renders its landing tab in under 15 ms at the median; the other tabs are measured alongside. Search by
 * phone number and external customer number is in the customers scenarios' terms. Issue 19: the landing
 * tab of random customers of the million, beside the bare stack's customer page of the same customers.
 */
export default async function customerModuleScenarios({ db }: BenchContext): Promise<Scenario[]> {
  const landing: Scenario = {
    name: 'customer landing tab, random customers',
    as: 'admin@example.com',
    paths: (await randomCustomerIds(db)).map((id) => landingTabPath(id, 'account-summary')),
  };
  const row = await db('customers').where({ name: HEAVY_CUSTOMER_NAME }).first('id');
  if (!row) return [landing];
  const base = `/customers/${row.id}`;
  const tab = (name: string, path: string, medianMs?: number): Scenario => ({
    name: `customer module: ${name}`,
    as: 'admin@example.com',
    paths: [`${base}${path}`],
    ...(medianMs ? { target: { medianMs } } : {}),
  });
  return [
    landing,
    tab('landing tab (Account Summary)', '/account-summary', 15),
    tab('Communications (Notes)', '/communications', 15),
    tab('Customer Information', '', 15),
    tab('Documents', '/documents'),
    tab('Metrics: Field Level Changes', '/metrics/field-changes'),
    tab('Metrics: Activity Log', '/metrics/activity-log'),
    tab('Metrics: User Access Trail', '/metrics/access-trail'),
    {
      name: 'customer module: Inventory, active business',
      as: 'admin@example.com',
      paths: ['/customers/inventory?status=active&kind=business'],
      target: { medianMs: 30 },
    },
    { name: 'customer module: Recently Viewed', as: 'admin@example.com', paths: ['/customers/recent'] },
  ];
}
