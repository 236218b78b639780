/** Money is integer cents everywhere; these are the only conversions to and from text. */

const formatter = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new TypeError(`not an integer amount of cents: ${cents}`);
  return formatter.format(cents / 100);
}

/**
 * Parses "1,234.5", "$12", "0.07" into cents without going through floating point.
 * Returns null when the text is not a plain non-negative amount with at most two decimals.
 */
export function parseCents(text: string): number | null {
  const cleaned = text.trim().replace(/^\$/, '').replace(/,/g, '');
  const match = /^(\d{1,12})(?:\.(\d{0,2}))?$/.exec(cleaned);
  if (!match) return null;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(2, '0'));
  return whole * 100 + fraction;
}

/** "1234.50" from 123450: a plain decimal amount for files other systems read, without floating point. */
export function centsToDecimal(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new TypeError(`not an integer amount of cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * `numerator / denominator` rounded to the nearest whole number, halves up: the one rounding rule of
 * rated calls, pro-rated charges, taxes and commissions (each rounded once, per line, to the cent).
 * Both are non-negative integers; the arithmetic stays in integers.
 */
export function divideRoundingHalfUp(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || numerator < 0 || denominator <= 0) {
    throw new RangeError(`cannot round ${numerator} / ${denominator}`);
  }
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/**
 * A plain decimal typed by a person as an integer of its smallest unit: "2.5" with 2 places is 250,
 * "0.012" with 5 places is 1200. Null unless digits with at most `places` decimals. Rates and
 * percentages go through here, never through floating point.
 */
export function parseScaled(text: string, places: number, maxWholeDigits = 4): number | null {
  const match = new RegExp(`^(\\d{1,${maxWholeDigits}})(?:\\.(\\d{1,${places}}))?$`).exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 10 ** places + Number((match[2] ?? '').padEnd(places, '0'));
}
