import { z } from 'zod';
import { todayIso } from '../../lib/dates.ts';
import { PERIOD_PATTERN, periodOf } from './periods.ts';

const id = z.coerce.number().int().positive();
const period = z
  .string({ error: 'Choose a billing period.' })
  .trim()
  .regex(PERIOD_PATTERN, 'Choose a billing period as year and month, like 2026-11.');

/** The page's period: a mistyped one falls back to the current month rather than failing the page. */
export const pageQuery = z.object({
  period: period.catch(() => periodOf(todayIso())),
  before: id.optional().catch(undefined),
});
export const historyQuery = z.object({ before: id.optional().catch(undefined) });
export const generateForm = z.object({ period });
export const fileParams = z.object({ id });
