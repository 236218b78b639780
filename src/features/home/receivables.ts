import type { StaffPrincipal } from '../../auth/principal.ts';
import type { Db, Queryable } from '../../db/index.ts';
import { addDays, nowIso, todayIso } from '../../lib/dates.ts';
import { yieldToEventLoop } from '../../lib/event-loop.ts';

/** The receivables dashboard on the admin's and reseller's home: what is owed, how old, what came in. */
export type Receivables = {
  today: string;
  computedAt: string;
  aging: { label: string; cents: number }[];
  collected: { day: string; cents: number }[];
  largestPastDue: { id: number; account_number: string; name: string; past_due_cents: number; oldest_due_on: string }[];
};

export const COLLECTED_DAYS = 30;
const AGING_LABELS = ['Current', '1–30', '31–60', '61–90', 'Over 90'] as const;
const TOP = 10;
/** Customers per query while refreshing: each query is short, and the event loop gets a turn between them. */
const CUSTOMERS_PER_CHUNK = 5_000;

type Tally = {
  aging: number[];
  collected: Map<string, number>;
  pastDue: { id: number; cents: number; oldest: string }[];
};

const newTally = (): Tally => ({ aging: [0, 0, 0, 0, 0], collected: new Map(), pastDue: [] });

function keepLargest(tally: Tally) {
  tally.pastDue.sort((a, b) => b.cents - a.cents || a.id - b.id);
  tally.pastDue.length = Math.min(tally.pastDue.length, TOP);
}

/**
 * Sums one range of customers' open invoices (by age of due date, and past due per customer) and
 * settled payments of the last 30 days, into the tallies of 'all' and of each customer's reseller.
 */
async function tallyChunk(db: Queryable, from: number, to: number, today: string, tallies: Map<string, Tally>) {
  const d = (days: number) => addDays(today, -days);
  const sumWhen = (condition: string, bindings: string[]) =>
    db.raw(`coalesce(sum(case when ${condition} then i.open_cents else 0 end), 0)`, bindings);
  const [open, paid] = await Promise.all([
    db('invoices as i')
      .join('customers as c', 'c.id', 'i.customer_id')
      .where('i.customer_id', '>=', from)
      .where('i.customer_id', '<', to)
      .where('i.open_cents', '>', 0)
      .groupBy('c.reseller_id', 'i.customer_id')
      .select('c.reseller_id', 'i.customer_id', {
        current: sumWhen('i.due_on >= ?', [today]),
        d30: sumWhen('i.due_on >= ? and i.due_on < ?', [d(30), today]),
        d60: sumWhen('i.due_on >= ? and i.due_on < ?', [d(60), d(30)]),
        d90: sumWhen('i.due_on >= ? and i.due_on < ?', [d(90), d(60)]),
        over90: sumWhen('i.due_on < ?', [d(90)]),
        oldest: db.raw('min(i.due_on)'),
      }),
    db('payments as p')
      .join('customers as c', 'c.id', 'p.customer_id')
      .where('p.customer_id', '>=', from)
      .where('p.customer_id', '<', to)
      .where('p.status', 'settled')
      .whereBetween('p.paid_on', [d(COLLECTED_DAYS - 1), today])
      .groupBy('c.reseller_id', 'p.paid_on')
      .select('c.reseller_id', 'p.paid_on', db.raw('sum(p.amount_cents) as cents')),
  ]);
  const tallyOf = (resellerId: number) => {
    const key = `reseller:${resellerId}`;
    if (!tallies.has(key)) tallies.set(key, newTally());
    return [tallies.get('all')!, tallies.get(key)!];
  };
  for (const row of open) {
    const buckets = [row.current, row.d30, row.d60, row.d90, row.over90].map(Number);
    const pastDue = buckets[1] + buckets[2] + buckets[3] + buckets[4];
    for (const tally of tallyOf(row.reseller_id)) {
      buckets.forEach((cents, i) => {
        tally.aging[i] += cents;
      });
      if (pastDue > 0) tally.pastDue.push({ id: Number(row.customer_id), cents: pastDue, oldest: row.oldest });
    }
  }
  for (const row of paid)
    for (const tally of tallyOf(row.reseller_id))
      tally.collected.set(row.paid_on, (tally.collected.get(row.paid_on) ?? 0) + Number(row.cents));
  for (const tally of tallies.values()) keepLargest(tally);
}

/**
 * Recomputes the dashboard for every scope in one pass over the customers, a range at a time, and
 * replaces the snapshots (the `receivables` job, every few minutes). Reading a million customers'
 * invoices takes seconds: a page must never wait for it.
 */
export async function refreshReceivables(db: Db, now = new Date()): Promise<void> {
  const today = todayIso(now);
  const tallies = new Map<string, Tally>([['all', newTally()]]);
  for (const r of await db('resellers').select('id')) tallies.set(`reseller:${r.id}`, newTally());
  const last = Number((await db('customers').max({ id: 'id' }).first())?.id ?? 0);
  for (let from = 1; from <= last; from += CUSTOMERS_PER_CHUNK) {
    await tallyChunk(db, from, from + CUSTOMERS_PER_CHUNK, today, tallies);
    await yieldToEventLoop();
  }
  const ids = [...new Set([...tallies.values()].flatMap((t) => t.pastDue.map((c) => c.id)))];
  const customers = new Map(
    (ids.length ? await db('customers').whereIn('id', ids).select('id', 'account_number', 'name') : []).map((c) => [
      c.id,
      c,
    ]),
  );
  const computedAt = nowIso();
  const rows = [...tallies].map(([scope, tally]) => ({
    scope,
    computed_at: computedAt,
    data: JSON.stringify({
      today,
      computedAt,
      aging: AGING_LABELS.map((label, i) => ({ label, cents: tally.aging[i] })),
      collected: Array.from({ length: COLLECTED_DAYS }, (_, i) => {
        const day = addDays(today, i - COLLECTED_DAYS + 1);
        return { day, cents: tally.collected.get(day) ?? 0 };
      }),
      largestPastDue: tally.pastDue.map((c) => ({
        id: c.id,
        account_number: customers.get(c.id)?.account_number ?? '',
        name: customers.get(c.id)?.name ?? '',
        past_due_cents: c.cents,
        oldest_due_on: c.oldest,
      })),
    } satisfies Receivables),
  }));
  await db.transaction(async (trx) => {
    await trx('receivables_snapshots').delete();
    for (let i = 0; i < rows.length; i += 200) await trx('receivables_snapshots').insert(rows.slice(i, i + 200));
  });
}

/** The dashboard of the user's scope as last computed (one row by its key), or null before the first refresh. */
export async function receivables(db: Queryable, user: StaffPrincipal): Promise<Receivables | null> {
  const scope = user.role === 'reseller' ? `reseller:${user.resellerId}` : 'all';
  const row = await db('receivables_snapshots').where('scope', scope).first('data');
  return row ? (JSON.parse(row.data) as Receivables) : null;
}
