import type { StaffPrincipal } from '../../auth/principal.ts';
import { rowsOwnedByVisibleCustomers } from '../../auth/scope.ts';
import type { Queryable } from '../../db/index.ts';
import { addDays, todayIso } from '../../lib/dates.ts';

/** The receivables dashboard on the admin's and reseller's home (B5 issue): what is owed, how old, what came in. */
export type Receivables = {
  today: string;
  aging: { label: string; cents: number }[];
  collected: { day: string; cents: number }[];
  largestPastDue: { id: number; account_number: string; name: string; past_due_cents: number; oldest_due_on: string }[];
};

export const COLLECTED_DAYS = 30;

/**
 * Open balance by age of its due date, in one pass over the open invoices (the partial index on
 * open_cents > 0 holds only those). Day limits are computed here, so the SQL is the same on both databases.
 */
async function aging(db: Queryable, user: StaffPrincipal, today: string) {
  const d = (days: number) => addDays(today, -days);
  const bucket = (from: string | null, to: string | null) =>
    db.raw(
      `coalesce(sum(case when ${from ? 'due_on >= ?' : '1 = 1'} and ${to ? 'due_on < ?' : '1 = 1'} then open_cents else 0 end), 0)`,
      [from, to].filter((v): v is string => v !== null),
    );
  const row = await rowsOwnedByVisibleCustomers(db, user, 'invoices')
    .where('open_cents', '>', 0)
    .first({
      current: bucket(today, null),
      d30: bucket(d(30), today),
      d60: bucket(d(60), d(30)),
      d90: bucket(d(90), d(60)),
      over90: bucket(null, d(90)),
    });
  return [
    { label: 'Current', cents: Number(row?.current ?? 0) },
    { label: '1–30', cents: Number(row?.d30 ?? 0) },
    { label: '31–60', cents: Number(row?.d60 ?? 0) },
    { label: '61–90', cents: Number(row?.d90 ?? 0) },
    { label: 'Over 90', cents: Number(row?.over90 ?? 0) },
  ];
}

/** Settled payments per day for the last 30 days, every day present (zero when nothing came in). */
async function collected(db: Queryable, user: StaffPrincipal, today: string) {
  const from = addDays(today, -(COLLECTED_DAYS - 1));
  const rows: { paid_on: string; cents: number | string }[] = await rowsOwnedByVisibleCustomers(db, user, 'payments')
    .where('status', 'settled')
    .whereBetween('paid_on', [from, today])
    .groupBy('paid_on')
    .select('paid_on', db.raw('sum(amount_cents) as cents'));
  const byDay = new Map(rows.map((r) => [r.paid_on, Number(r.cents)]));
  return Array.from({ length: COLLECTED_DAYS }, (_, i) => {
    const day = addDays(from, i);
    return { day, cents: byDay.get(day) ?? 0 };
  });
}

/** The ten customers with the most past due, largest first. */
async function largestPastDue(db: Queryable, user: StaffPrincipal, today: string) {
  const rows = await rowsOwnedByVisibleCustomers(db, user, 'invoices')
    .join('customers as c', 'c.id', 'invoices.customer_id')
    .where('invoices.open_cents', '>', 0)
    .where('invoices.due_on', '<', today)
    .groupBy('c.id', 'c.account_number', 'c.name')
    .select(
      'c.id',
      'c.account_number',
      'c.name',
      db.raw('sum(invoices.open_cents) as past_due_cents'),
      db.raw('min(invoices.due_on) as oldest_due_on'),
    )
    .orderBy([{ column: 'past_due_cents', order: 'desc' }, { column: 'c.id' }])
    .limit(10);
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    account_number: String(r.account_number),
    name: String(r.name),
    past_due_cents: Number(r.past_due_cents),
    oldest_due_on: String(r.oldest_due_on),
  }));
}

// Summing every open invoice of a million customers is not a per-page-view job: like the customer
// counts (stats.ts), the dashboard is kept per scope for a minute.
const TTL_MS = 60_000;
const caches = new WeakMap<Queryable, Map<string, { at: number; value: Receivables }>>();

export async function receivables(db: Queryable, user: StaffPrincipal, now = new Date()): Promise<Receivables> {
  const today = todayIso(now);
  const key = `${user.role === 'reseller' ? `reseller:${user.resellerId}` : 'all'}@${today}`;
  const cache = caches.get(db) ?? new Map();
  caches.set(db, cache);
  const hit = cache.get(key);
  if (hit && now.getTime() - hit.at < TTL_MS && hit.at <= now.getTime()) return hit.value;
  const [agingRows, collectedRows, largest] = await Promise.all([
    aging(db, user, today),
    collected(db, user, today),
    largestPastDue(db, user, today),
  ]);
  const value = { today, aging: agingRows, collected: collectedRows, largestPastDue: largest };
  cache.set(key, { at: now.getTime(), value });
  return value;
}
