import type { StaffPrincipal } from '../../auth/principal.ts';
import { customersVisibleTo } from '../../auth/scope.ts';
import type { Queryable } from '../../db/index.ts';

export type CustomerStats = { total: number; active: number; suspended: number; asOf: string };

// Counting a million customers takes tens of milliseconds, so counts are kept per scope (all, or one
// reseller) for a minute, but never past a change that alters them: a customer created or its status
// changed (the newest such audit event, read from an index, in any process) counts them again, so a
// user sees their own change at once.
const TTL_MS = 60_000;
const cache = new Map<string, { at: number; stamp: string; stats: CustomerStats }>();

async function lastCountChange(db: Queryable): Promise<string> {
  const newest = (action: string) =>
    db('audit_events').where({ entity: 'customers', action }).orderBy('id', 'desc').first('id');
  const [created, status] = await Promise.all([newest('create'), newest('status')]);
  return `${created?.id ?? 0}:${status?.id ?? 0}`;
}

export async function customerStats(db: Queryable, user: StaffPrincipal): Promise<CustomerStats> {
  const key = user.role === 'reseller' ? `reseller:${user.resellerId}` : 'all';
  const hit = cache.get(key);
  const stamp = await lastCountChange(db);
  if (hit && hit.stamp === stamp && Date.now() - hit.at < TTL_MS) return hit.stats;
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
  cache.set(key, { at: Date.now(), stamp, stats });
  return stats;
}
