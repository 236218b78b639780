import { addDays } from '../../lib/dates.ts';

/** A billing period: one calendar month, "2026-11", from its first to its last day inclusive. */
export type BillingPeriod = { period: string; start: string; end: string; days: number };

export const PERIOD_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function billingPeriod(period: string): BillingPeriod {
  const match = PERIOD_PATTERN.exec(period);
  if (!match) throw new RangeError(`not a period (YYYY-MM): ${period}`);
  const start = `${period}-01`;
  const next = new Date(Date.UTC(Number(match[1]), Number(match[2]), 1)).toISOString().slice(0, 10);
  const end = addDays(next, -1);
  return { period, start, end, days: Number(end.slice(8, 10)) };
}

/** The days from `from` to `to`, both counted. */
export function daysInclusive(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}
