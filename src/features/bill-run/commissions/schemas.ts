import { z } from 'zod';
import { todayIso } from '../../../lib/dates.ts';
import { PERIOD_PATTERN } from '../periods.ts';

/** A percentage of billed charges with at most two decimals, kept as basis points (2.5% is 250). */
const percent = z
  .string()
  .trim()
  .regex(/^\d{1,3}(\.\d{1,2})?$/, 'Enter a percentage, e.g. 2.5')
  .transform((value) => {
    const [whole, fraction = ''] = value.split('.');
    return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  })
  .refine((value) => value <= 10_000, 'At most 100%');

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
