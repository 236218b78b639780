import type { StaffPrincipal } from '../../auth/principal.ts';
import type { Queryable } from '../../db/index.ts';
import { columnChart } from './column-chart.ts';
import { receivables } from './receivables.ts';

const shortDay = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** The receivables dashboard's data and its two charts, for the admin's and reseller's home. */
export async function receivablesPage(db: Queryable, user: StaffPrincipal) {
  const data = await receivables(db, user);
  if (!data) return { receivables: null, receivablesPending: true };
  return {
    receivables: data,
    agingChart: columnChart(data.aging, { width: 420, height: 200 }),
    collectedChart: columnChart(
      data.collected.map((d) => ({ label: shortDay.format(new Date(`${d.day}T00:00:00Z`)), cents: d.cents })),
      { width: 420, height: 200, labelEvery: 7 },
    ),
  };
}
