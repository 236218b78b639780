import { z } from 'zod';
import { todayIso } from '../../../lib/dates.ts';
import { parseScaled } from '../../../lib/money.ts';
import { PERIOD_PATTERN } from '../periods.ts';

/** A percentage of billed charges with at most two decimals, kept as basis points (2.5% is 250). */
const percent = z
  .string()
  .transform((value) => parseScaled(value, 2, 3))
  .refine((value) => value !== null && value <= 10_000, 'Enter a percentage up to 100, e.g. 2.5')
  .transform((value) => value as number);

/** *Add a commission plan*: who it pays and the percentage of each kind of charge (D6). */
export const planForm = z.object({
  name: z.string().trim().min(1, 'Enter a name').max(100, 'At most 100 characters'),
  payee_kind: z.enum(['sales_person', 'reseller'], { error: 'Choose who it pays' }),
  recurring: percent,
  usage: percent,
  setup: percent,
});

export const reportQuery = z.object({
  period: z
    .string()
    .regex(PERIOD_PATTERN)
    .catch(() => todayIso().slice(0, 7)),
});
