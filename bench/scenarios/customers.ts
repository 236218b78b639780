import { seededRandom } from '../../src/lib/seeded-random.ts';
import { absentTerms, commonTermsOfLength, customerSearchTerms } from '../customer-search-terms.ts';
import type { BenchContext, Scenario } from '../types.ts';

/**
 * Customer search (F5): under 30 ms at the median over a million customers, for staff and a reseller; and
 * (issue 19) terms of 2, 3 and 8 characters, common and absent, each also probed at 100 connections.
 */
export default async function customerScenarios({ db }: BenchContext): Promise<Scenario[]> {
  const random = seededRandom(7);
  const search = (terms: string[]) => terms.map((term) => `/customers?q=${encodeURIComponent(term)}`);
  const paths = search(await customerSearchTerms(db, random, 100));
  const byLength: Scenario[] = [];
  for (const length of [2, 3, 8]) {
    byLength.push(
      {
        name: `customer search, ${length} characters, common`,
        as: 'admin@example.com',
        paths: search(await commonTermsOfLength(db, random, length)),
        probe: true,
      },
      {
        name: `customer search, ${length} characters, absent`,
        as: 'admin@example.com',
        paths: search(absentTerms[length]),
        probe: true,
      },
    );
  }
  return [
    { name: 'customer search (admin)', as: 'admin@example.com', paths, target: { medianMs: 30 }, probe: true },
    { name: 'customer search (reseller)', as: 'reseller@example.com', paths, target: { medianMs: 30 } },
    ...byLength,
    {
      name: 'customer list, first page (reseller)',
      as: 'reseller@example.com',
      paths: ['/customers'],
      target: { medianMs: 30 },
    },
  ];
}
