import type { StaffPrincipal } from '../../auth/principal.ts';
import { customersVisibleTo } from '../../auth/scope.ts';
import type { Queryable } from '../../db/index.ts';

export type CustomerStats = { total: number; active: number; suspended: number; asOf: string };

// Counting a million customers takes tens of milliseconds; a dashboard figure a minute old is fine,
// so counts are kept per scope (all, or one reseller) for a minute.
const TTL_MS = 60_000;
const cache = new Map<string, { at: number; stats: CustomerStats }>();

export async function customerStats(db: Queryable, user: StaffPrincipal): Promise<CustomerStats> {
  const key = user.role === 'reseller' ? `reseller:${user.resellerId}` : 'all';
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.stats;
  const rows = (await customersVisibleTo(db, user).select('status').count({ count: '*' }).groupBy('status')) as {
    status: string;
    count: number | string;
  }[];
  const byStatus = Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  const stats = {
    total: rows.reduce((sum, row) => sum + Number(row.count), 0),
    active: byStatus.active ?? 0,
    suspended: byStatus.suspended ?? 0,
    asOf: new Date().toISOString(),
  };
  cache.set(key, { at: Date.now(), stats });
  return stats;
}
