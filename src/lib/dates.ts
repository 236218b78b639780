/** Timestamps are UTC ISO strings; calendar dates are YYYY-MM-DD. */

export function nowIso(): string {
  return new Date().toISOString();
}

export function todayIso(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

const dateFormatter = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});
const timestampFormatter = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
  timeZoneName: 'short',
});

export function formatDate(isoDate: string | null | undefined): string {
  if (!isoDate) return '';
  return dateFormatter.format(new Date(`${isoDate.slice(0, 10)}T00:00:00Z`));
}

export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return '';
  return timestampFormatter.format(new Date(iso));
}

/** The calendar date `days` after (or before) an ISO date. */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate.slice(0, 10)}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
