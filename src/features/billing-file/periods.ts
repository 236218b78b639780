/** A billing period is a calendar month, written YYYY-MM (A7). */
export type Period = string;

export const PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

export function periodOf(isoDate: string): Period {
  return isoDate.slice(0, 7);
}

/** The first and last calendar dates of a period, for `issued_on between`. */
export function periodBounds(period: Period): { from: string; to: string } {
  return { from: `${period}-01`, to: `${period}-31` };
}

export function shiftPeriod(period: Period, months: number): Period {
  const [year, month] = period.split('-').map(Number);
  const index = year * 12 + (month - 1) + months;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

const labelFormatter = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', timeZone: 'UTC' });

/** "November 2026". */
export function periodLabel(period: Period): string {
  return labelFormatter.format(new Date(`${period}-01T00:00:00Z`));
}
