import { divideRoundingHalfUp, parseScaled } from '../../../lib/money.ts';
import type { ChargeKind } from '../charges.ts';

/**
 * A tax rate of one jurisdiction on one kind of charge (D6): a country-wide rate has no region and no
 * city, a state or county rate has a region, a city rate both. Rates are in thousandths of a percent
 * (8.875% is 8875), so every rate in use is exact.
 */
export type TaxRate = {
  id: number;
  name: string;
  country: string;
  region: string | null;
  city: string | null;
  chargeKind: ChargeKind;
  rateMillipercent: number;
};

export type Jurisdiction = { country: string; region: string | null; city: string | null };
export type Exemption = { certificateRef: string; expiresOn: string };
export type TaxLine = { rateId: number; description: string; baseCents: number; cents: number };

const same = (a: string | null, b: string | null) => (a ?? '').trim().toLowerCase() === (b ?? '').trim().toLowerCase();

/** Whether a rate's jurisdiction contains the Bill To location: country, then state/county, then city. */
export function rateApplies(rate: TaxRate, where: Jurisdiction): boolean {
  if (!same(rate.country, where.country)) return false;
  if (rate.region && !same(rate.region, where.region)) return false;
  if (rate.city && !same(rate.city, where.city)) return false;
  return true;
}

/** An exemption whose certificate is still valid on the invoice date. */
export function validExemption(exemptions: readonly Exemption[], on: string): Exemption | undefined {
  return exemptions.find((exemption) => exemption.expiresOn >= on);
}

/**
 * The tax lines of one invoice: every rate of the Bill To location's jurisdictions (they add up:
 * country, state, city) on the charges of its kind, each rounded half up to the cent. None while the
 * customer holds a valid exemption certificate.
 */
export function taxLines(
  rates: readonly TaxRate[],
  where: Jurisdiction,
  baseByKind: Record<ChargeKind, number>,
  exempt: Exemption | undefined,
): TaxLine[] {
  if (exempt) return [];
  const lines: TaxLine[] = [];
  for (const rate of rates) {
    const base = baseByKind[rate.chargeKind];
    if (base <= 0 || !rateApplies(rate, where)) continue;
    const cents = divideRoundingHalfUp(base * rate.rateMillipercent, 100_000);
    if (cents > 0)
      lines.push({
        rateId: rate.id,
        description: `${rate.name} (${formatRate(rate.rateMillipercent)})`,
        baseCents: base,
        cents,
      });
  }
  return lines;
}

/** "8.875%" from 8875. */
export function formatRate(millipercent: number): string {
  const whole = Math.floor(millipercent / 1000);
  const fraction = String(millipercent % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return `${whole}${fraction ? `.${fraction}` : ''}%`;
}

/** 8875 from "8.875" (or "8.875%"); null unless a plain percentage with at most three decimals. */
export function parseRate(text: string): number | null {
  return parseScaled(text.trim().replace(/%$/, ''), 3, 3);
}
