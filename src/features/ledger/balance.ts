import { type Queryable, sqlConstant } from '../../db/index.ts';
import { preparedQuery } from '../../db/prepared.ts';
import { todayIso } from '../../lib/dates.ts';

/** What a customer owes on open invoices; every balance the app shows is computed here. */
export type OpenInvoiceTotals = {
  /** *Total Balance* (E4): the sum of what is open on the customer's invoices. */
  total_balance_cents: number;
  /** The part of it due before `today`. */
  past_due_cents: number;
  open_count: number;
};

// Prepared: every customer page's header shows the balance.
const openTotals = preparedQuery<
  { customerId: number; today: string },
  { total: number | null; past_due: number | null; open_count: number | null }
>((db, param) =>
  db('invoices')
    .where('customer_id', param('customerId'))
    .where('open_cents', '>', sqlConstant(db, 0))
    .first(
      db.raw('coalesce(sum(open_cents), 0) as total'),
      db.raw('coalesce(sum(case when due_on < ? then open_cents else 0 end), 0) as past_due', [param('today')]),
      db.raw('count(*) as open_count'),
    ),
);

/** Sums over the customer's open invoices in one query (an indexed range on customer and open balance). */
export async function openInvoiceTotals(db: Queryable, customerId: number, today: string): Promise<OpenInvoiceTotals> {
  const [totals] = await openTotals(db, { customerId, today });
  return {
    total_balance_cents: Number(totals?.total ?? 0),
    past_due_cents: Number(totals?.past_due ?? 0),
    open_count: Number(totals?.open_count ?? 0),
  };
}

/** The customer's *Total Balance* (E4), shown in the header (D2) and on *Account Summary*. */
export async function customerBalanceCents(db: Queryable, customerId: number): Promise<number> {
  return (await openInvoiceTotals(db, customerId, todayIso())).total_balance_cents;
}

export type BalanceSummary = OpenInvoiceTotals & {
  oldest_open: { id: number; number: string; issued_on: string } | null;
  credits_cents: number;
};

/** E4 *Balance*: the open-invoice totals, the oldest open invoice, and the credits on account. */
export async function balanceSummary(db: Queryable, customerId: number, today: string): Promise<BalanceSummary> {
  const [totals, oldest, credits] = await Promise.all([
    openInvoiceTotals(db, customerId, today),
    db('invoices')
      .where('customer_id', customerId)
      .where('open_cents', '>', sqlConstant(db, 0))
      .orderBy([{ column: 'issued_on' }, { column: 'id' }])
      .first('id', 'number', 'issued_on'),
    db('credits').where('customer_id', customerId).first(db.raw('coalesce(sum(remaining_cents), 0) as cents')),
  ]);
  return { ...totals, oldest_open: oldest ?? null, credits_cents: Number(credits?.cents ?? 0) };
}
