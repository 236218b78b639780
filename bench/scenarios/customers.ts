import { seededRandom } from '../../src/lib/seeded-random.ts';
import { customerSearchTerms } from '../customer-search-terms.ts';
import type { BenchContext, Scenario } from '../types.ts';

/** Customer search (F5): under 30 ms at the median over a million customers, for staff and a reseller. */
export default async function customerScenarios({ db }: BenchContext): Promise<Scenario[]> {
  const random = seededRandom(7);
  const paths = (await customerSearchTerms(db, random, 100)).map((term) => `/customers?q=${encodeURIComponent(term)}`);
  return [
    { name: 'customer search (admin)', as: 'admin@example.com', paths, target: { medianMs: 30 } },
    { name: 'customer search (reseller)', as: 'reseller@example.com', paths, target: { medianMs: 30 } },
    {
      name: 'customer list, first page (reseller)',
      as: 'reseller@example.com',
      paths: ['/customers'],
      target: { medianMs: 30 },
    },
  ];
}
