/** The weeks (Sunday first) covering a month, as ISO dates; days outside the month are marked. */
export function monthGrid(month: string) {
  const start = new Date(`${month}-01T00:00:00Z`);
  const next = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const cursor = new Date(start.getTime() - start.getUTCDay() * 86_400_000);
  const weeks: { date: string; inMonth: boolean }[][] = [];
  while (cursor < next) {
    const week = [];
    for (let i = 0; i < 7; i++) {
      week.push({ date: iso(cursor), inMonth: cursor.getUTCMonth() === start.getUTCMonth() });
      cursor.setUTCDate(cursor.getUTCDate() + 1);
    }
    weeks.push(week);
  }
  const previous = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - 1, 1));
  return {
    weeks,
    first: weeks[0][0].date,
    last: weeks[weeks.length - 1][6].date,
    label: new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(start),
    previous: iso(previous).slice(0, 7),
    next: iso(next).slice(0, 7),
  };
}
