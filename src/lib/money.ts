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

/** Cents as a plain decimal, for files read by spreadsheets ("1234.50"), never a currency string. */
export function centsAsDecimal(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new TypeError(`not an integer amount of cents: ${cents}`);
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
