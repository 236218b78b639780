import type { BenchContext, Scenario } from '../types.ts';

export default async function foundationScenarios(_ctx: BenchContext): Promise<Scenario[]> {
  return [
    { name: 'sign-in page', paths: ['/login'] },
    { name: 'home page (admin)', as: 'admin@example.com', paths: ['/'] },
    { name: 'home page (reseller)', as: 'reseller@example.com', paths: ['/'] },
  ];
}
