import { LARGE_PREFIXES as prefixes } from '../../seeds/large/40-numbers.ts';
import type { BenchContext, Scenario } from '../types.ts';

const base = '/wizard/benchmark-numbers-draft/numbers';

/**
 * The wizard's number search (C3) over a million inventory numbers: under 30 ms at the median for each
 * selection method, across blocks, grades and digit runs (common and rare).
 */
export default async function numberScenarios(_ctx: BenchContext): Promise<Scenario[]> {
  const pick = (i: number) => prefixes[(i * 37) % prefixes.length];
  const grades = ['', 'silver', 'gold', 'platinum'];
  const next = Array.from(
    { length: 20 },
    (_, i) => `${base}?count=10&method=next&prefix=${pick(i)}&grade=${grades[i % 4]}`,
  );
  const random = Array.from(
    { length: 20 },
    (_, i) => `${base}?count=10&method=random&prefix=${i % 5 === 0 ? '' : pick(i)}&grade=${grades[i % 4]}`,
  );
  const runs = ['777', '1234', '0000', '999', '4242', '31415', '555', '8080', '12', '2468'];
  const containing = runs.map(
    (digits, i) => `${base}?count=10&method=containing&digits=${digits}&prefix=${i % 2 ? pick(i) : ''}`,
  );
  return [
    { name: 'number search: next available', as: 'admin@example.com', paths: next, target: { medianMs: 30 } },
    { name: 'number search: random', as: 'admin@example.com', paths: random, target: { medianMs: 30 } },
    {
      name: 'number search: containing',
      as: 'admin@example.com',
      paths: containing,
      target: { medianMs: 30 },
      probe: true,
    },
  ];
}
