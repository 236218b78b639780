import { divideRoundingHalfUp } from '../../lib/money.ts';

/**
 * A per-minute rate for destinations starting with `prefix`, in millicents (1/1000 cent) so rates such
 * as $0.0125 a minute are exact; billed for at least `minimumSeconds`, then in steps of
 * `incrementSeconds` (60/6: the first minute whole, then every six seconds).
 */
export type UsageRate = {
  prefix: string;
  perMinuteMillicents: number;
  minimumSeconds: number;
  incrementSeconds: number;
};

/** The rates of one price list by prefix, for the longest-prefix lookup. */
export type RateTable = Map<string, UsageRate>;

export function rateTable(rates: readonly UsageRate[]): RateTable {
  return new Map(rates.map((rate) => [rate.prefix, rate]));
}

/** The rate whose prefix is the longest one the destination starts with, if any. */
export function rateFor(table: RateTable, destination: string): UsageRate | undefined {
  for (let length = destination.length; length > 0; length--) {
    const rate = table.get(destination.slice(0, length));
    if (rate) return rate;
  }
  return undefined;
}

/** Seconds billed: none for an unanswered call, else at least the minimum, rounded up to the increment. */
export function billedSeconds(durationSeconds: number, rate: Pick<UsageRate, 'minimumSeconds' | 'incrementSeconds'>) {
  if (durationSeconds <= 0) return 0;
  const increment = Math.max(1, rate.incrementSeconds);
  const rounded = Math.ceil(durationSeconds / increment) * increment;
  return Math.max(rate.minimumSeconds, rounded);
}

/** One call's price: billed seconds at the per-minute rate, rounded half up to the cent (per call). */
export function rateCall(durationSeconds: number, rate: UsageRate): { billedSeconds: number; cents: number } {
  const seconds = billedSeconds(durationSeconds, rate);
  return { billedSeconds: seconds, cents: divideRoundingHalfUp(seconds * rate.perMinuteMillicents, 60 * 1000) };
}
