import { z } from 'zod';
import { todayIso } from '../../lib/dates.ts';

const id = z.coerce.number().int().positive();
const version = z.coerce.number({ error: 'Reload the page and try again.' }).int().positive();

/** *Change Price List* on Service Details (C8). */
export const priceListChange = z.object({
  price_list_id: z.coerce.number({ error: 'Choose a price list.' }).int().positive('Choose a price list.'),
  version,
});

/** *End service*: the day it ends, today or later. */
export const endForm = z.object({
  ends_on: z
    .string({ error: 'Enter the end date.' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the end date as a date, like 2026-12-31.')
    .refine((d) => !Number.isNaN(Date.parse(d)), 'Enter a real date.')
    .refine((d) => d >= todayIso(), 'Choose today or a later date.'),
  version,
});

export const serviceNumberParams = z.object({ id, numberId: id });
