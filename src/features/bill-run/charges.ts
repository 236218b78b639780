import { divideRoundingHalfUp } from '../../lib/money.ts';
import { type BillingPeriod, daysInclusive } from './periods.ts';

/** The kinds of charge that taxes and commissions are set per (D6). */
export const chargeKinds = ['recurring', 'usage', 'setup'] as const;
export type ChargeKind = (typeof chargeKinds)[number];
export const chargeKindLabels: Record<ChargeKind, string> = {
  recurring: 'Recurring',
  usage: 'Usage',
  setup: 'Set-up',
};

/** A service as billing sees it: its monthly price (with its numbers'), set-up price and active dates. */
export type BillableService = {
  id: number;
  name: string;
  monthlyCents: number;
  setupCents: number;
  /** The first day it is active (its creation date). */
  startsOn: string;
  /** The last day it is active, or null while it runs on. */
  endsOn: string | null;
  /** Rated usage not billed yet, in cents. */
  usageCents: number;
  calls: number;
  /** The price list it is priced by, and whether that list has a price for its service type. */
  priceListId: number;
  priced: boolean;
  /** Calls not rated: no usage rate on the price list for their destination (one example given). */
  unratedCalls: number;
  unratedDestination: string | null;
};

export type Charge = { serviceId: number; kind: ChargeKind; description: string; cents: number };

/**
 * The monthly price for the days a service is active in the period: monthly × active days / days in
 * the month, rounded half up to the cent. A whole month is the monthly price exactly.
 */
export function proratedCents(monthlyCents: number, startsOn: string, endsOn: string | null, period: BillingPeriod) {
  const from = startsOn > period.start ? startsOn : period.start;
  const to = endsOn && endsOn < period.end ? endsOn : period.end;
  if (from > to) return { cents: 0, days: 0 };
  const days = daysInclusive(from, to);
  return { cents: divideRoundingHalfUp(monthlyCents * days, period.days), days };
}

/**
 * A service's charges for one period: recurring (pro-rated by day), its set-up price in the period it
 * starts (so once, since a period is billed once), and its rated usage. Zero charges are left out.
 */
export function serviceCharges(service: BillableService, period: BillingPeriod): Charge[] {
  const charges: Charge[] = [];
  const recurring = proratedCents(service.monthlyCents, service.startsOn, service.endsOn, period);
  if (recurring.cents > 0) {
    const part = recurring.days < period.days ? ` (${recurring.days} of ${period.days} days)` : '';
    charges.push({
      serviceId: service.id,
      kind: 'recurring',
      description: `${service.name} ${period.period}${part}`,
      cents: recurring.cents,
    });
  }
  if (service.setupCents > 0 && service.startsOn >= period.start && service.startsOn <= period.end) {
    charges.push({
      serviceId: service.id,
      kind: 'setup',
      description: `${service.name} set-up`,
      cents: service.setupCents,
    });
  }
  if (service.usageCents > 0) {
    charges.push({
      serviceId: service.id,
      kind: 'usage',
      description: `${service.name} calls (${service.calls})`,
      cents: service.usageCents,
    });
  }
  return charges;
}

/** Charges summed per kind: what taxes and commissions are worked out on. */
export function centsByKind(charges: readonly Pick<Charge, 'kind' | 'cents'>[]): Record<ChargeKind, number> {
  const sums: Record<ChargeKind, number> = { recurring: 0, usage: 0, setup: 0 };
  for (const charge of charges) sums[charge.kind] += charge.cents;
  return sums;
}
