import type { Queryable } from '../../../db/index.ts';

export function commissionPlans(db: Queryable) {
  return db('commission_plans').orderBy('name').limit(200);
}

export type PayeeTotal = {
  payee_kind: string;
  payee: string;
  invoices: number;
  base_cents: number;
  amount_cents: number;
};

/** A period's commissions per payee (D6): what each sales person and reseller earned on committed invoices. */
export async function commissionsOfPeriod(db: Queryable, period: string): Promise<PayeeTotal[]> {
  const rows = await db('commission_accruals')
    .where('period', period)
    .groupBy('payee_kind', 'payee')
    .orderBy([{ column: 'payee_kind' }, { column: 'payee' }])
    .limit(10_000)
    .select(
      'payee_kind',
      'payee',
      db.raw('count(*) as invoices'),
      db.raw('sum(base_cents) as base_cents'),
      db.raw('sum(amount_cents) as amount_cents'),
    );
  return rows.map((r) => ({
    ...r,
    invoices: Number(r.invoices),
    base_cents: Number(r.base_cents),
    amount_cents: Number(r.amount_cents),
  }));
}
