import { z } from 'zod';
import { addDays } from '../../lib/dates.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter a date as YYYY-MM-DD.');

/** A statement's period: the last 90 days unless chosen; never past today, at most a year. */
export function statementPeriodQuery(today: string) {
  return z
    .object({
      from: isoDate.optional().catch(undefined),
      to: isoDate.optional().catch(undefined),
    })
    .transform(({ from, to }) => {
      const end = to && to <= today ? to : today;
      const start = from && from <= end && from >= addDays(end, -366) ? from : addDays(end, -90);
      return { from: start, to: end };
    });
}
