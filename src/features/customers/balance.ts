import type { Queryable } from '../../db/index.ts';

/** The customer's *Total Balance* (E4): the sum of open invoices, shown in the header (D2) and on *Account Summary*. */
export async function customerBalanceCents(db: Queryable, customerId: number): Promise<number> {
  const row = await db('invoices')
    .where('customer_id', customerId)
    .where('open_cents', '>', 0)
    .first(db.raw('coalesce(sum(open_cents), 0) as total'));
  return Number(row?.total ?? 0);
}
