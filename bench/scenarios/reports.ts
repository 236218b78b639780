import type { BenchContext, Scenario } from '../types.ts';

/** B5 at scale: the home page with the receivables dashboard, for an admin (every customer) and a reseller. */
export default async function reportScenarios(_ctx: BenchContext): Promise<Scenario[]> {
  return [
    {
      name: 'home with receivables dashboard (admin)',
      as: 'admin@example.com',
      paths: ['/'],
      target: { medianMs: 50 },
    },
    {
      name: 'home with receivables dashboard (reseller)',
      as: 'reseller@example.com',
      paths: ['/'],
      target: { medianMs: 50 },
    },
  ];
}
