import { divideRoundingHalfUp } from '../../../lib/money.ts';
import type { ChargeKind } from '../charges.ts';

/** Who a plan pays: the customer's sales person (by name) or its reseller (D6). */
export type PayeeKind = 'sales_person' | 'reseller';

/** A commission plan: basis points (1/100 of a percent) of billed charges, per kind of charge. */
export type CommissionPlan = {
  id: number;
  name: string;
  payeeKind: PayeeKind;
  basisPoints: Record<ChargeKind, number>;
};

export type Payees = { salesPerson: string | null; reseller: { id: number; name: string } | null };

export type Accrual = { planId: number; payeeKind: PayeeKind; payee: string; baseCents: number; cents: number };

/**
 * What one invoice's charges (taxes excluded) earn under each plan: per kind, charges × basis points,
 * rounded half up to the cent, then summed. A plan whose payee the customer lacks accrues nothing.
 */
export function accruals(plans: readonly CommissionPlan[], chargesByKind: Record<ChargeKind, number>, payees: Payees) {
  const result: Accrual[] = [];
  for (const plan of plans) {
    const payee = plan.payeeKind === 'sales_person' ? payees.salesPerson?.trim() : payees.reseller?.name;
    if (!payee) continue;
    let base = 0;
    let cents = 0;
    for (const [kind, charged] of Object.entries(chargesByKind) as [ChargeKind, number][]) {
      base += charged;
      cents += divideRoundingHalfUp(charged * plan.basisPoints[kind], 10_000);
    }
    if (cents > 0) result.push({ planId: plan.id, payeeKind: plan.payeeKind, payee, baseCents: base, cents });
  }
  return result;
}
