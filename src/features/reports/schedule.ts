import { Cron } from 'croner';
import { addDays, todayIso } from '../../lib/dates.ts';

export const schedules = ['on-demand', 'daily', 'weekly', 'monthly'] as const;
export type Schedule = (typeof schedules)[number];
export const periods = ['last-day', 'last-week', 'last-month', 'range'] as const;
export type Period = (typeof periods)[number];

export const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** Periodic reports run at this hour (UTC), after the night's billing. */
const RUN_HOUR_UTC = 6;

export type ScheduleSettings = {
  schedule: Schedule;
  weekday: number | null;
  month_day: number | null;
  period: Period;
  range_from: string | null;
  range_to: string | null;
};

/** The croner pattern of a periodic report, or null for an on-demand one. */
export function cronPattern(s: Pick<ScheduleSettings, 'schedule' | 'weekday' | 'month_day'>): string | null {
  if (s.schedule === 'daily') return `0 ${RUN_HOUR_UTC} * * *`;
  if (s.schedule === 'weekly') return `0 ${RUN_HOUR_UTC} * * ${s.weekday ?? 1}`;
  if (s.schedule === 'monthly') return `0 ${RUN_HOUR_UTC} ${s.month_day ?? 1} * *`;
  return null;
}

/** The first tick of the report's schedule strictly after `after`, as an ISO timestamp; null when on demand. */
export function nextRunAfter(
  s: Pick<ScheduleSettings, 'schedule' | 'weekday' | 'month_day'>,
  after: Date,
): string | null {
  const pattern = cronPattern(s);
  if (!pattern) return null;
  const next = new Cron(pattern, { timezone: 'UTC', paused: true }).nextRun(after);
  return next ? next.toISOString() : null;
}

/** The dates (inclusive) a run at `at` covers: the day before it, the 7 days before it, the calendar month before its month, or the fixed range. */
export function periodCovered(s: Pick<ScheduleSettings, 'period' | 'range_from' | 'range_to'>, at: Date) {
  const today = todayIso(at);
  const yesterday = addDays(today, -1);
  if (s.period === 'range') return { from: s.range_from ?? yesterday, to: s.range_to ?? yesterday };
  if (s.period === 'last-week') return { from: addDays(today, -7), to: yesterday };
  if (s.period === 'last-month') {
    const lastMonthEnd = addDays(`${today.slice(0, 7)}-01`, -1);
    return { from: `${lastMonthEnd.slice(0, 7)}-01`, to: lastMonthEnd };
  }
  return { from: yesterday, to: yesterday };
}

/** How the schedule reads on the list and the report's page. */
export function describeSchedule(s: Pick<ScheduleSettings, 'schedule' | 'weekday' | 'month_day'>): string {
  if (s.schedule === 'daily') return 'Daily';
  if (s.schedule === 'weekly') return `Weekly on ${weekdays[s.weekday ?? 1]}`;
  if (s.schedule === 'monthly') return `Monthly on day ${s.month_day ?? 1}`;
  return 'On demand';
}
