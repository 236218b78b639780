import { z } from 'zod';
import { todayIso } from '../../lib/dates.ts';
import { PERIOD_PATTERN } from './periods.ts';

const period = z
  .string({ error: 'Choose a billing period' })
  .trim()
  .regex(PERIOD_PATTERN, 'Choose a billing period (month and year)');

export const billRunQuery = z.object({ period: period.catch(() => todayIso().slice(0, 7)) });
export const previewQuery = z.object({ period });
export const commitForm = z.object({ period });
