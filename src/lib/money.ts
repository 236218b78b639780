/** Money is integer cents everywhere; these are the only conversions to and from text. */

const formatter = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/**
 * The one bound on money (docs/security.md): no amount, line or total may exceed 10^13 cents
 * ($100,000,000,000.00). Far inside 2^53 and both databases' 64-bit integers, so sums of a few
 * thousand such amounts stay exact.
 */
export const MAX_CENTS = 10 ** 13;

export const AMOUNT_TOO_LARGE = 'At most $100,000,000,000.00.';
export const AMOUNT_GROUPING =
  'Write thousands as 1,000.00 (a comma before every three digits) or leave the commas out.';

/** Where a page meets an amount it cannot show; the app logs it (plugins/views.ts). */
let reportBadAmount: (value: unknown) => void = () => {};
export function onBadAmount(report: (value: unknown) => void): void {
  reportBadAmount = report;
}

/** Shown instead of an amount that is not a bounded integer of cents: one bad row never takes a page down. */
export const BAD_AMOUNT_MARKER = '⚠ amount?';

export function isBoundedCents(cents: unknown): cents is number {
  return typeof cents === 'number' && Number.isSafeInteger(cents) && Math.abs(cents) <= MAX_CENTS;
}

/** For the ledger's writes: a bound the forms already keep, checked again where the money is stored. */
export function assertBoundedCents(cents: number, what: string): void {
  if (!isBoundedCents(cents)) throw new RangeError(`${what} is not a whole number of cents within ±10^13: ${cents}`);
}

export function formatCents(cents: number): string {
  if (!isBoundedCents(cents)) {
    reportBadAmount(cents);
    return BAD_AMOUNT_MARKER;
  }
  return formatter.format(cents / 100);
}

export type AmountReading = { ok: true; cents: number } | { ok: false; message: string };

/**
 * Reads "1,234.5", "$12", "0.07" into cents without going through floating point. Commas are
 * accepted only as thousands separators in their valid places: "1,00" might mean a dollar or a
 * hundred, so it is refused rather than guessed. `formatMessage` is the form's own words for text that
 * is no amount at all.
 */
export function readAmount(text: string, formatMessage = 'Enter an amount like 1,234.50.'): AmountReading {
  const cleaned = text.trim().replace(/^\$/, '');
  const match = /^(\d+|\d{1,3}(?:,\d{3})+)(?:\.(\d{0,2}))?$/.exec(cleaned);
  if (!match) return { ok: false, message: cleaned.includes(',') ? AMOUNT_GROUPING : formatMessage };
  const wholeDigits = match[1].replace(/,/g, '').replace(/^0+(?=\d)/, '');
  if (wholeDigits.length > 12) return { ok: false, message: AMOUNT_TOO_LARGE };
  const cents = Number(wholeDigits) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return cents > MAX_CENTS ? { ok: false, message: AMOUNT_TOO_LARGE } : { ok: true, cents };
}

/** readAmount without the reason: null when the text is not a plain non-negative amount within the bound. */
export function parseCents(text: string): number | null {
  const reading = readAmount(text);
  return reading.ok ? reading.cents : null;
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
